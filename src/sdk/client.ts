/**
 * {@linkcode T4DMClient}: a typed client of the T4DM daemon over `fetch`. It runs in Deno, Node ≥ 18 and
 * browsers (no runtime-specific APIs), and loads no server code.
 *
 * @module
 */
import type { Memory, RecallOptions, StoreInput, UpdatePatch } from "../memory/schema.ts";
import { type CallSpec, send, type TransportConfig } from "./_transport.ts";
import { streamLines } from "./_lines.ts";
import type { FeedbackResult, ImportResult, RecallResult, Stats } from "./types.ts";

/** A fetch function (the global one, or e.g. an in-process handler). */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/** Options of {@linkcode T4DMClient}. */
export interface T4DMClientOptions {
  /** The daemon, e.g. `http://127.0.0.1:8765`. */
  baseUrl: string;
  /** API key (sent as a bearer token). @default none (a daemon without keys) */
  apiKey?: string;
  /** Namespace of every call that names none (sent as `X-T4DM-Namespace`). @default the key's */
  namespace?: string;
  /** Per-attempt timeout, ms; for streams, until the headers arrive. @default 30000 */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls. @default 2 */
  retries?: number;
  /** First backoff, ms; doubles per attempt, full jitter. @default 100 */
  retryBaseMs?: number;
  /** Longest backoff, ms; a Retry-After beyond it is not waited for. @default 10000 */
  retryMaxMs?: number;
  /** The fetch to use (e.g. an in-process handler in tests). @default globalThis.fetch */
  fetch?: FetchLike;
  /** Jitter source. @default Math.random */
  random?: () => number;
}

/** Options every call takes. */
export interface CallOptions {
  /** Namespace of this call (overrides the client's). */
  namespace?: string;
  /** Aborts the call (no retry after an abort). */
  signal?: AbortSignal;
}

const enc = encodeURIComponent;

function idsGiven(inputs: readonly StoreInput[]): boolean {
  return inputs.length > 0 && inputs.every((m) => m.id !== undefined);
}

/**
 * A client of one daemon. Errors are typed: {@linkcode ValidationError} (with `field`),
 * {@linkcode UnauthorizedError}, {@linkcode ForbiddenError}, {@linkcode NotFoundError},
 * {@linkcode RateLimitedError} (with `retryAfter`), {@linkcode T4DMTimeoutError}, all extending
 * {@linkcode T4DMHttpError}.
 *
 * Retries (with exponential backoff and jitter) cover idempotent calls only: GETs, `forget` (DELETE),
 * `recall` (read-only but for access counts, which a retry may count twice), and `store`/`storeMany`
 * when every memory carries an `id` (a replace). `update`, `invalidate`, `feedback` and `importJsonl`
 * are never retried.
 *
 * Concurrency: every method may be called concurrently.
 *
 * @example
 * ```ts ignore
 * import { T4DMClient } from "./client.ts";
 * const t4dm = new T4DMClient({ baseUrl: "http://127.0.0.1:8765", apiKey: "t4dm_…" });
 * await t4dm.store({ content: "Ada prefers tea" });
 * const [top] = await t4dm.recall({ query: "what does Ada drink?" });
 * ```
 */
export class T4DMClient {
  readonly #cfg: TransportConfig;

  constructor(options: T4DMClientOptions) {
    const headers: Record<string, string> = {};
    if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
    if (options.namespace !== undefined) headers["x-t4dm-namespace"] = options.namespace;
    this.#cfg = {
      baseUrl: options.baseUrl,
      headers,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 2,
      retryBaseMs: options.retryBaseMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 10_000,
      random: options.random ?? Math.random,
      fetch: (options.fetch ?? ((i, o) => globalThis.fetch(i, o))) as typeof fetch,
    };
  }

  async #json<T>(spec: CallSpec, o: CallOptions = {}): Promise<T> {
    const { text } = await send(this.#cfg, this.#with(spec, o));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  #with(spec: CallSpec, o: CallOptions): CallSpec {
    const s: CallSpec = { ...spec };
    if (o.namespace !== undefined) s.headers = { ...s.headers, "x-t4dm-namespace": o.namespace };
    if (o.signal) s.signal = o.signal;
    return s;
  }

  /** Stores one memory. */
  store(input: StoreInput, o?: CallOptions): Promise<Memory> {
    return this.#json(
      { method: "POST", path: "/v1/memories", json: input, idempotent: idsGiven([input]) },
      o,
    );
  }

  /** Stores memories atomically per namespace (at most the daemon's batch limit, 1000 by default). */
  async storeMany(inputs: StoreInput[], o?: CallOptions): Promise<Memory[]> {
    const spec: CallSpec = {
      method: "POST",
      path: "/v1/memories/batch",
      json: { memories: inputs },
      idempotent: idsGiven(inputs),
    };
    return (await this.#json<{ memories: Memory[] }>(spec, o)).memories;
  }

  /** The memory, or undefined if there is none. */
  async get(id: string, o?: CallOptions): Promise<Memory | undefined> {
    const { res, text } = await send(
      this.#cfg,
      this.#with(
        { method: "GET", path: `/v1/memories/${enc(id)}`, idempotent: true, accept: [404] },
        o ?? {},
      ),
    );
    return res.status === 404 ? undefined : JSON.parse(text) as Memory;
  }

  /** Writes a new version of a memory. @throws {NotFoundError} */
  update(id: string, patch: UpdatePatch, o?: CallOptions): Promise<Memory> {
    return this.#json(
      { method: "PATCH", path: `/v1/memories/${enc(id)}`, json: patch, idempotent: false },
      o,
    );
  }

  /** Deletes a memory and its history for good; false if there was none. */
  async forget(id: string, o?: CallOptions): Promise<boolean> {
    const spec: CallSpec = {
      method: "DELETE",
      path: `/v1/memories/${enc(id)}`,
      idempotent: true,
      accept: [404],
    };
    return (await send(this.#cfg, this.#with(spec, o ?? {}))).res.status === 204;
  }

  /** Ends a memory's validity at `at` (default now). @throws {NotFoundError} */
  invalidate(id: string, o: CallOptions & { at?: number | string } = {}): Promise<Memory> {
    const json = o.at === undefined ? {} : { at: o.at };
    return this.#json(
      { method: "POST", path: `/v1/memories/${enc(id)}/invalidate`, json, idempotent: false },
      o,
    );
  }

  /** Every version, oldest first. @throws {NotFoundError} */
  async history(id: string, o?: CallOptions): Promise<Memory[]> {
    const spec: CallSpec = { method: "GET", path: `/v1/memories/${enc(id)}/history`, idempotent: true };
    return (await this.#json<{ versions: Memory[] }>(spec, o)).versions;
  }

  /** The memories that best answer `options.query`, best first. */
  async recall(options: RecallOptions, o?: CallOptions): Promise<RecallResult[]> {
    const spec: CallSpec = { method: "POST", path: "/v1/recall", json: options, idempotent: true };
    return (await this.#json<{ results: RecallResult[] }>(spec, o)).results;
  }

  /** Records whether a recalled memory was useful (nudges its importance). @throws {NotFoundError} */
  feedback(id: string, useful: boolean, o?: CallOptions): Promise<FeedbackResult> {
    return this.#json({ method: "POST", path: "/v1/feedback", json: { id, useful }, idempotent: false }, o);
  }

  /** Streams the namespace as JSON lines (one memory a line). Stop iterating to cancel. */
  async *exportJsonl(o: CallOptions = {}): AsyncGenerator<string> {
    const { res, release } = await send(
      this.#cfg,
      this.#with({ method: "GET", path: "/v1/export", idempotent: true, stream: true }, o),
    );
    try {
      if (res.body) yield* streamLines(res.body);
    } finally {
      release();
    }
  }

  /**
   * Imports JSON lines into the namespace. A string or array is sent whole; an async iterable is
   * streamed (where the runtime's fetch can stream request bodies: Deno, Node, Chromium).
   */
  importJsonl(
    lines: string | Iterable<string> | AsyncIterable<string>,
    o?: CallOptions,
  ): Promise<ImportResult> {
    let body: BodyInit;
    if (typeof lines === "string") body = lines;
    else if (Symbol.asyncIterator in lines) {
      const it = lines[Symbol.asyncIterator]();
      const te = new TextEncoder();
      body = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const r = await it.next();
          if (r.done) ctrl.close();
          else ctrl.enqueue(te.encode(r.value.endsWith("\n") ? r.value : r.value + "\n"));
        },
        async cancel() {
          await it.return?.();
        },
      });
    } else body = [...lines].map((l) => (l.endsWith("\n") ? l : l + "\n")).join("");
    const raw = { body, contentType: "application/x-ndjson" };
    return this.#json({ method: "POST", path: "/v1/import", raw, idempotent: false }, o);
  }

  /** Counts per namespace (the key's namespaces only). */
  stats(o?: CallOptions): Promise<Stats> {
    return this.#json({ method: "GET", path: "/v1/stats", idempotent: true }, o);
  }

  /** Liveness: resolves `{ status: "ok" }`. */
  health(o?: CallOptions): Promise<{ status: "ok" }> {
    return this.#json({ method: "GET", path: "/health", idempotent: true }, o);
  }

  /** Readiness: true once the daemon's store is open (false while starting or draining). */
  async ready(o?: CallOptions): Promise<boolean> {
    const spec: CallSpec = { method: "GET", path: "/ready", idempotent: false, accept: [503] };
    return (await send(this.#cfg, this.#with(spec, o ?? {}))).res.status === 200;
  }

  /** The daemon's OpenAPI document. */
  openapi(o?: CallOptions): Promise<Record<string, unknown>> {
    return this.#json({ method: "GET", path: "/openapi.json", idempotent: true }, o);
  }
}
