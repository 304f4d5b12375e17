/**
 * The memory service of `--url`: the commands' {@linkcode MemoryService} over the daemon's SDK client.
 * It returns what the library returns (a missing memory is `undefined` or `false`, an empty history is
 * `[]`) and turns the SDK's errors into the library's, so that `mapError` gives the same exit codes as
 * in local mode.
 *
 * @module
 */
import { CorruptionError } from "../../engine/errors.ts";
import { MemoryError, type MemoryErrorCode } from "../memory/errors.ts";
import type { Memory, RecallOptions, StoreInput, UpdatePatch } from "../memory/schema.ts";
import type { RecallResult } from "../memory/t4dm.ts";
import { T4DMClient } from "../sdk/client.ts";
import { NotFoundError, RateLimitedError, T4DMHttpError, ValidationError } from "../sdk/errors.ts";
import type { ImportOutcome, MemoryService, ServiceStats } from "./command.ts";

const CODES: ReadonlySet<string> = new Set<MemoryErrorCode>([
  "VALIDATION",
  "NOT_FOUND",
  "CONFLICT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "UNAVAILABLE",
]);

const BY_STATUS: Readonly<Record<number, MemoryErrorCode>> = {
  400: "VALIDATION",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "VALIDATION",
  429: "RATE_LIMITED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "UNAVAILABLE",
};

/** setTimeout's longest delay: an import answers only once its whole body is stored. */
const NO_TIMEOUT = 2 ** 31 - 1;

/**
 * The library's error for an SDK error, so that `mapError` maps a daemon's answer as it maps the same
 * condition locally. Anything else is returned as is.
 *
 * @param e What the SDK threw.
 * @param o The daemon's URL and whether an API key was given, for the messages.
 * @returns A {@linkcode MemoryError} (or a `CorruptionError` for the daemon's CORRUPTION), else `e`.
 *
 * @example A 404 becomes NOT_FOUND
 * ```ts
 * import { fromSdkError } from "./_remote.ts";
 * import { NotFoundError } from "../sdk/errors.ts";
 * const e = fromSdkError(
 *   new NotFoundError({ type: "", title: "", status: 404, detail: "no such memory", code: "NOT_FOUND" }),
 *   { url: "http://127.0.0.1:8765", apiKey: false },
 * );
 * if ((e as { code?: string }).code !== "NOT_FOUND") throw new Error(String(e));
 * ```
 */
export function fromSdkError(e: unknown, o: { url: string; apiKey: boolean }): unknown {
  if (!(e instanceof T4DMHttpError)) return e;
  if (e.status === 0) {
    // The SDK says `Cannot GET /v1/…: why`; the user asked for neither the method nor the path.
    const why = e.message.replace(/^Cannot [A-Z]+ \S+: /, "");
    return new MemoryError("UNAVAILABLE", `Cannot reach the daemon at ${o.url}: ${why}`, { cause: e });
  }
  if (e.code === "CORRUPTION") return new CorruptionError(e.message, { cause: e });
  const code = CODES.has(e.code) ? e.code as MemoryErrorCode : BY_STATUS[e.status];
  if (code === undefined) return e; // an internal error of the daemon: exit 1, as locally
  let message = e.message;
  if (code === "UNAUTHORIZED" && !o.apiKey) message += " (give --api-key or set T4DM_API_KEY)";
  const options: { field?: string; retryAfter?: number; cause: unknown } = { cause: e };
  if (e instanceof ValidationError && e.field !== undefined) options.field = e.field;
  else if (e.problem?.field !== undefined) options.field = e.problem.field;
  if (e instanceof RateLimitedError) options.retryAfter = e.retryAfter;
  return new MemoryError(code, message, options);
}

/** Options of {@linkcode RemoteService}. */
export interface RemoteOptions {
  /** The daemon, e.g. `http://127.0.0.1:8765`. */
  url: string;
  /** API key. @default none (a daemon without keys) */
  apiKey?: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * The daemon at a URL as a {@linkcode MemoryService}.
 *
 * Concurrency: every method may be called concurrently.
 *
 * @example Errors come back as the library's
 * ```ts
 * import { RemoteService } from "./_remote.ts";
 * const fetch = () => Promise.resolve(Response.json(
 *   { type: "", title: "", status: 403, detail: 'Cannot serve request: the API key lacks the "write" scope', code: "FORBIDDEN" },
 *   { status: 403 },
 * ));
 * const svc = new RemoteService({ url: "http://127.0.0.1:1", apiKey: "k", fetch });
 * const e = await svc.store({ content: "x" }).catch((e) => e);
 * if (e.code !== "FORBIDDEN") throw new Error(String(e));
 * ```
 */
export class RemoteService implements MemoryService {
  readonly #client: T4DMClient;
  readonly #slow: T4DMClient;
  readonly #where: { url: string; apiKey: boolean };

  constructor(options: RemoteOptions) {
    const base = {
      baseUrl: options.url,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    };
    this.#client = new T4DMClient(base);
    this.#slow = new T4DMClient({ ...base, timeoutMs: NO_TIMEOUT });
    this.#where = { url: options.url, apiKey: options.apiKey !== undefined };
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw fromSdkError(e, this.#where);
    }
  }

  /** Stores one memory. */
  store(input: StoreInput): Promise<Memory> {
    return this.#call(() => this.#client.store(input));
  }

  /** The memories that best answer `options.query`; the daemon embeds the query itself. */
  recall(options: RecallOptions, _hints?: { queryVector?: Float32Array }): Promise<RecallResult[]> {
    // The daemon sends the library's own results as JSON; the SDK's mirror of the `explain` parts may
    // lag behind the library's, and the commands render the library's.
    return this.#call(async () => (await this.#client.recall(options)) as unknown as RecallResult[]);
  }

  /** The memory, or undefined. */
  get(id: string, options: { namespace?: string } = {}): Promise<Memory | undefined> {
    return this.#call(() => this.#client.get(id, options));
  }

  /** A new version of a memory. @throws {MemoryError} NOT_FOUND */
  update(id: string, patch: UpdatePatch, options: { namespace?: string } = {}): Promise<Memory> {
    return this.#call(() => this.#client.update(id, patch, options));
  }

  /** Ends a memory's validity. @throws {MemoryError} NOT_FOUND */
  invalidate(id: string, options: { namespace?: string; at?: number | string } = {}): Promise<Memory> {
    return this.#call(() => this.#client.invalidate(id, options));
  }

  /**
   * Nudges a memory's importance up (useful) or down; returns the memory as the daemon left it.
   * @throws {MemoryError} NOT_FOUND
   */
  feedback(id: string, useful: boolean, options: { namespace?: string } = {}): Promise<Memory> {
    return this.#call(async () => (await this.#client.feedback(id, useful, options)).memory);
  }

  /** Erases a memory; false if there was none. */
  forget(id: string, options: { namespace?: string } = {}): Promise<boolean> {
    return this.#call(() => this.#client.forget(id, options));
  }

  /** Every version, oldest first; empty if there is none (the daemon answers 404). */
  history(id: string, options: { namespace?: string } = {}): Promise<Memory[]> {
    return this.#call(async () => {
      try {
        return await this.#client.history(id, options);
      } catch (e) {
        if (e instanceof NotFoundError) return [];
        throw e;
      }
    });
  }

  /** The namespace as JSON lines, streamed. */
  async *export(options: { namespace?: string } = {}): AsyncGenerator<string> {
    try {
      yield* this.#client.exportJsonl(options);
    } catch (e) {
      throw fromSdkError(e, this.#where);
    }
  }

  /**
   * Streams JSON lines to the daemon, which stores every line in the call's namespace (a line's own
   * `namespace` is ignored). `onProgress` is called once, at the end.
   */
  import(
    lines: AsyncIterable<string> | Iterable<string>,
    options: { namespace?: string; onProgress?: (done: number) => void } = {},
  ): Promise<ImportOutcome> {
    return this.#call(async () => {
      const o = options.namespace === undefined ? {} : { namespace: options.namespace };
      const r = await this.#slow.importJsonl(lines, o);
      options.onProgress?.(r.imported);
      return r;
    });
  }

  /** The daemon's figures: the key's namespaces; engine figures for admin keys only. */
  stats(): Promise<ServiceStats> {
    return this.#call(() => this.#client.stats());
  }

  /** Nothing to close: each call is one request. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
