/**
 * One HTTP call of the SDK: timeout per attempt, caller's AbortSignal, and retries with exponential
 * backoff and full jitter for idempotent calls only. Uses only fetch-era web APIs (Deno, Node ≥ 18,
 * browsers).
 *
 * @module
 */
import { errorFromResponse, T4DMHttpError, T4DMTimeoutError } from "./errors.ts";

/** How the client talks to the daemon. */
export interface TransportConfig {
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
  fetch: typeof fetch;
}

/** One call. */
export interface CallSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** A JSON value, or a raw body with its content type. */
  json?: unknown;
  raw?: { body: BodyInit; contentType: string };
  /** Safe to send twice: retried on network errors, timeouts, 408, 429, 502, 503 and 504. */
  idempotent: boolean;
  signal?: AbortSignal | undefined;
  /** Hand back the response as soon as headers arrive (the timeout stops there). */
  stream?: boolean;
  /** Statuses that are answers, not errors (e.g. 404 for get). */
  accept?: number[];
}

const RETRY_STATUS = new Set([408, 429, 502, 503, 504]);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => (clearTimeout(t), reject(signal!.reason));
    const t = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function url(cfg: TransportConfig, spec: CallSpec): string {
  const q = Object.entries(spec.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  const qs = q.length ? `?${new URLSearchParams(q)}` : "";
  return `${cfg.baseUrl.replace(/\/+$/, "")}${spec.path}${qs}`;
}

/**
 * Sends `spec`; resolves with the response (body read into `text` unless streaming) or throws a typed
 * {@linkcode T4DMHttpError}. A caller's abort rejects with the signal's reason and is never retried.
 * For a streamed response, `release()` must be called once the body is done.
 */
export async function send(
  cfg: TransportConfig,
  spec: CallSpec,
): Promise<{ res: Response; text: string; release: () => void }> {
  const attempts = spec.idempotent ? cfg.retries + 1 : 1;
  const headers: Record<string, string> = { accept: "application/json", ...cfg.headers, ...spec.headers };
  let body: BodyInit | undefined;
  if (spec.json !== undefined) body = JSON.stringify(spec.json), headers["content-type"] = "application/json";
  if (spec.raw) body = spec.raw.body, headers["content-type"] = spec.raw.contentType;
  for (let attempt = 0;; attempt++) {
    spec.signal?.throwIfAborted();
    const ac = new AbortController();
    const onAbort = () => ac.abort(spec.signal!.reason);
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => (timedOut = true, ac.abort()), cfg.timeoutMs);
    const release = () => spec.signal?.removeEventListener("abort", onAbort);
    let keep = false;
    let failure: T4DMHttpError;
    let retryAfterMs = 0;
    try {
      const init: RequestInit & { duplex?: "half" } = { method: spec.method, headers, signal: ac.signal };
      if (body !== undefined) init.body = body;
      if (body instanceof ReadableStream) init.duplex = "half";
      const res = await cfg.fetch(url(cfg, spec), init);
      if (res.ok || spec.accept?.includes(res.status)) {
        if (spec.stream) return keep = true, { res, text: "", release };
        return { res, text: await res.text(), release };
      }
      failure = await errorFromResponse(res);
      if (!RETRY_STATUS.has(res.status)) throw failure;
      const ra = Number(res.headers.get("retry-after"));
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
    } catch (e) {
      if (e instanceof T4DMHttpError) throw e;
      if (spec.signal?.aborted) throw spec.signal.reason;
      failure = timedOut
        ? new T4DMTimeoutError(`Cannot ${spec.method} ${spec.path}: no response within ${cfg.timeoutMs} ms`)
        : new T4DMHttpError(0, "NETWORK", `Cannot ${spec.method} ${spec.path}: ${(e as Error).message}`, {
          cause: e,
        });
    } finally {
      clearTimeout(timer);
      if (!keep) release();
    }
    if (attempt + 1 >= attempts || retryAfterMs > cfg.retryMaxMs) throw failure;
    const backoff = cfg.random() * Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** attempt);
    await sleep(Math.max(retryAfterMs, backoff), spec.signal);
  }
}
