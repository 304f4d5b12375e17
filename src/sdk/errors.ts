/**
 * Typed errors of the SDK: one class per condition a caller is expected to catch, all extending
 * {@linkcode T4DMHttpError}, which carries the daemon's problem details.
 *
 * @module
 */
import type { Problem } from "./types.ts";

/** Any failed call: an error response (status ≥ 400), a timeout or a network failure (status 0). */
export class T4DMHttpError extends Error {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** Stable code, e.g. `VALIDATION`, `NOT_FOUND`, `TIMEOUT`, `NETWORK`. */
  readonly code: string;
  /** The problem details, when the daemon sent them. */
  readonly problem: Problem | undefined;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { problem?: Problem; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "T4DMHttpError";
    this.status = status;
    this.code = code;
    this.problem = options.problem;
  }
}

/** 400: the request was malformed or invalid; `field` names what failed. */
export class ValidationError extends T4DMHttpError {
  /** The offending field, e.g. `"k"`, `"(body)"`. */
  readonly field: string | undefined;
  constructor(problem: Problem) {
    super(problem.status, problem.code, problem.detail, { problem });
    this.name = "ValidationError";
    this.field = problem.field;
  }
}

/** 401: no valid API key. */
export class UnauthorizedError extends T4DMHttpError {
  constructor(problem: Problem) {
    super(problem.status, problem.code, problem.detail, { problem });
    this.name = "UnauthorizedError";
  }
}

/** 403: the key lacks the scope or the namespace. */
export class ForbiddenError extends T4DMHttpError {
  constructor(problem: Problem) {
    super(problem.status, problem.code, problem.detail, { problem });
    this.name = "ForbiddenError";
  }
}

/** 404: no such memory (or route). */
export class NotFoundError extends T4DMHttpError {
  constructor(problem: Problem) {
    super(problem.status, problem.code, problem.detail, { problem });
    this.name = "NotFoundError";
  }
}

/** 429: rate limited; retry after `retryAfter` seconds. */
export class RateLimitedError extends T4DMHttpError {
  /** Seconds to wait. */
  readonly retryAfter: number;
  constructor(problem: Problem, retryAfter: number) {
    super(problem.status, problem.code, problem.detail, { problem });
    this.name = "RateLimitedError";
    this.retryAfter = retryAfter;
  }
}

/** No response within the timeout. */
export class T4DMTimeoutError extends T4DMHttpError {
  constructor(message: string) {
    super(0, "TIMEOUT", message);
    this.name = "T4DMTimeoutError";
  }
}

/**
 * The typed error for an error response.
 *
 * @example
 * ```ts
 * import { errorFromResponse, NotFoundError } from "./errors.ts";
 * const res = new Response(JSON.stringify({ type: "x", title: "Not found", status: 404, detail: "no", code: "NOT_FOUND" }),
 *   { status: 404, headers: { "content-type": "application/problem+json" } });
 * if (!(await errorFromResponse(res) instanceof NotFoundError)) throw new Error("wrong class");
 * ```
 */
export async function errorFromResponse(res: Response): Promise<T4DMHttpError> {
  const text = await res.text().catch(() => "");
  let p: Problem;
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.detail !== "string" || typeof body.code !== "string") {
      throw new TypeError("not a problem");
    }
    p = { type: "", title: "", ...body, status: res.status } as Problem;
  } catch {
    const detail = `HTTP ${res.status} ${res.statusText}`.trim() + (text ? `: ${text.slice(0, 200)}` : "");
    p = {
      type: "about:blank",
      title: res.statusText,
      status: res.status,
      detail,
      code: `HTTP_${res.status}`,
    };
  }
  switch (res.status) {
    case 400:
      return new ValidationError(p);
    case 401:
      return new UnauthorizedError(p);
    case 403:
      return new ForbiddenError(p);
    case 404:
      return new NotFoundError(p);
    case 429: {
      const header = Number(res.headers.get("retry-after"));
      return new RateLimitedError(p, Number.isFinite(header) && header >= 0 ? header : p.retryAfter ?? 1);
    }
    default:
      return new T4DMHttpError(p.status, p.code, p.detail, { problem: p });
  }
}
