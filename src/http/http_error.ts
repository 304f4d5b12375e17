/**
 * {@linkcode HttpError}: the few protocol-level failures that have no library error behind them (a wrong
 * content type, a route that exists only as a placeholder). Everything the library throws is mapped by
 * `mapError` in src/memory/errors.ts instead.
 *
 * @module
 */

/** Stable codes of {@linkcode HttpError}. */
export type HttpErrorCode = "UNSUPPORTED_MEDIA_TYPE" | "NOT_IMPLEMENTED";

const STATUS: Record<HttpErrorCode, { status: number; title: string }> = {
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  NOT_IMPLEMENTED: { status: 501, title: "Not implemented" },
};

/**
 * A protocol error with its HTTP status.
 *
 * @example
 * ```ts
 * import { HttpError } from "./http_error.ts";
 * const e = new HttpError("UNSUPPORTED_MEDIA_TYPE", "Cannot read body: expected application/json");
 * if (e.status !== 415) throw new Error(String(e.status));
 * ```
 */
export class HttpError extends Error {
  /** Stable machine-readable code. */
  readonly code: HttpErrorCode;
  /** HTTP status. */
  readonly status: number;
  /** Problem-details title. */
  readonly title: string;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = "HttpError";
    this.code = code;
    this.status = STATUS[code].status;
    this.title = STATUS[code].title;
  }
}
