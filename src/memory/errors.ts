/**
 * Errors of the memory layer and the one table that maps every error the library can throw to an HTTP
 * status, an MCP error flag and a CLI exit code. Surfaces never invent their own mapping.
 *
 * @module
 */
import { isCorruption, isInvalidArgument, isIOError, isNotFound, isNotSupported } from "../../engine/mod.ts";

/** Stable codes of {@linkcode MemoryError}. */
export type MemoryErrorCode =
  | "VALIDATION"
  | "NOT_FOUND"
  | "CONFLICT"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "UNAVAILABLE";

/**
 * An error callers are expected to catch, with a stable `code`.
 *
 * @example
 * ```ts
 * import { MemoryError } from "./errors.ts";
 * const e = new MemoryError("NOT_FOUND", `Cannot get memory "x": no such memory`);
 * if (e.code !== "NOT_FOUND") throw new Error("wrong code");
 * ```
 */
export class MemoryError extends Error {
  /** Stable machine-readable code. */
  readonly code: MemoryErrorCode;
  /** For validation errors: the path of the offending field, e.g. `"importance"`. */
  readonly field: string | undefined;
  /** Seconds to wait, for RATE_LIMITED. */
  readonly retryAfter: number | undefined;
  constructor(
    code: MemoryErrorCode,
    message: string,
    options: { field?: string; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MemoryError";
    this.code = code;
    this.field = options.field;
    this.retryAfter = options.retryAfter;
  }
}

/** How each surface reports an error. */
export interface ErrorMapping {
  /** HTTP status. */
  status: number;
  /** Problem-details title. */
  title: string;
  /** CLI exit code. */
  exitCode: number;
  /** Stable code for clients. */
  code: string;
}

const TABLE: Record<string, ErrorMapping> = {
  VALIDATION: { status: 400, title: "Invalid request", exitCode: 2, code: "VALIDATION" },
  UNAUTHORIZED: { status: 401, title: "Unauthorized", exitCode: 3, code: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, title: "Forbidden", exitCode: 3, code: "FORBIDDEN" },
  NOT_FOUND: { status: 404, title: "Not found", exitCode: 4, code: "NOT_FOUND" },
  CONFLICT: { status: 409, title: "Conflict", exitCode: 5, code: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large", exitCode: 2, code: "PAYLOAD_TOO_LARGE" },
  RATE_LIMITED: { status: 429, title: "Too many requests", exitCode: 6, code: "RATE_LIMITED" },
  UNAVAILABLE: { status: 503, title: "Unavailable", exitCode: 7, code: "UNAVAILABLE" },
  CORRUPTION: { status: 500, title: "Storage corruption", exitCode: 10, code: "CORRUPTION" },
  INTERNAL: { status: 500, title: "Internal error", exitCode: 1, code: "INTERNAL" },
};

/**
 * Maps any thrown value to its status, exit code and stable code.
 *
 * @example
 * ```ts
 * import { MemoryError, mapError } from "./errors.ts";
 * if (mapError(new MemoryError("VALIDATION", "bad")).status !== 400) throw new Error("wrong status");
 * if (mapError(new Error("boom")).status !== 500) throw new Error("wrong status");
 * ```
 */
export function mapError(e: unknown): ErrorMapping {
  if (e instanceof MemoryError) return TABLE[e.code]!;
  if (isInvalidArgument(e)) return TABLE.VALIDATION!;
  if (isNotFound(e)) return TABLE.NOT_FOUND!;
  if (isCorruption(e)) return TABLE.CORRUPTION!;
  if (isIOError(e) || isNotSupported(e)) return TABLE.UNAVAILABLE!;
  return TABLE.INTERNAL!;
}
