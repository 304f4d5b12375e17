/**
 * {@linkcode problemResponse}: any thrown value as an RFC 9457 problem-details response.
 *
 * @module
 */
import { mapError, MemoryError } from "../../../memory/errors.ts";
import { HttpError } from "../../http_error.ts";

/** The body of every error response (`application/problem+json`). */
export interface Problem {
  /** `urn:t4dm:problem:<code>`, lower case. */
  type: string;
  title: string;
  status: number;
  /** What failed, in a sentence; for server errors only a pointer to the log. */
  detail: string;
  /** Stable code, e.g. `VALIDATION`. */
  code: string;
  /** The offending field, for validation errors. */
  field?: string;
  /** Seconds to wait, for RATE_LIMITED (also sent as `Retry-After`). */
  retryAfter?: number;
}

/** Options of {@linkcode problemResponse}. */
export interface ProblemOptions {
  /** Where server errors (5xx) are logged with their stack. @default console.error */
  log?: (line: string) => void;
}

/**
 * Turns `err` into a problem-details response via the one error table (`mapError`). Client errors keep
 * their message; server errors get a generic detail with a reference, and their stack goes to the log,
 * never to the client.
 *
 * @example
 * ```ts
 * import { MemoryError } from "../../../memory/errors.ts";
 * import { problemResponse } from "./problem_response.ts";
 * const r = problemResponse(new MemoryError("VALIDATION", "bad k", { field: "k" }));
 * const body = await r.json();
 * if (r.status !== 400 || body.field !== "k") throw new Error(JSON.stringify(body));
 * ```
 */
export function problemResponse(err: unknown, options: ProblemOptions = {}): Response {
  const m = err instanceof HttpError
    ? { status: err.status, title: err.title, code: err.code }
    : mapError(err);
  let detail = err instanceof Error ? err.message : String(err);
  if (m.status >= 500 && !(err instanceof MemoryError) && !(err instanceof HttpError)) {
    const ref = crypto.randomUUID();
    (options.log ?? console.error)(
      `t4dm http: ${m.code} ${ref}: ${err instanceof Error ? err.stack : detail}`,
    );
    detail = `${m.title}; the server log has the details under reference ${ref}`;
  }
  const body: Problem = {
    type: `urn:t4dm:problem:${m.code.toLowerCase()}`,
    title: m.title,
    status: m.status,
    detail,
    code: m.code,
  };
  const headers = new Headers({ "content-type": "application/problem+json" });
  if (err instanceof MemoryError) {
    if (err.field !== undefined) body.field = err.field;
    if (err.retryAfter !== undefined) {
      body.retryAfter = err.retryAfter;
      headers.set("retry-after", String(err.retryAfter));
    }
  }
  if (m.status === 401) headers.set("www-authenticate", 'Bearer realm="t4dm"');
  return new Response(JSON.stringify(body), { status: m.status, headers });
}
