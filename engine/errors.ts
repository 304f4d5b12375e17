/**
 * The engine's closed error vocabulary. Every error the engine throws on purpose is one of these five,
 * each with a stable `code` and an `isX()` helper, so callers can branch without `instanceof` across
 * module copies.
 *
 * @module
 */

/** Stable codes of {@linkcode EngineError}. */
export type EngineErrorCode = "CORRUPTION" | "NOT_FOUND" | "IO" | "INVALID_ARGUMENT" | "NOT_SUPPORTED";

/**
 * Base class of the engine's errors.
 *
 * @example Branch on the code
 * ```ts
 * import { CorruptionError, isCorruption } from "./errors.ts";
 * const e = new CorruptionError("Cannot read block: bad checksum", { file: "000001.sst" });
 * if (!isCorruption(e) || e.file !== "000001.sst") throw new Error("unexpected");
 * ```
 */
export class EngineError extends Error {
  /** A stable machine-readable code. */
  readonly code: EngineErrorCode;
  /** The file the condition was found in, when there is one. */
  readonly file: string | undefined;
  constructor(code: EngineErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.name = new.target.name;
  }
}

/** Stored bytes do not decode or fail a checksum. */
export class CorruptionError extends EngineError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super("CORRUPTION", message, options);
  }
}
/** A file or record that must exist does not. */
export class NotFoundError extends EngineError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super("NOT_FOUND", message, options);
  }
}
/** The operating system refused an operation (including a held lock). */
export class IOError extends EngineError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super("IO", message, options);
  }
}
/** A caller passed a value the engine cannot accept. */
export class InvalidArgumentError extends EngineError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super("INVALID_ARGUMENT", message, options);
  }
}
/** A file was written by a newer format version, or a feature is absent. */
export class NotSupportedError extends EngineError {
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super("NOT_SUPPORTED", message, options);
  }
}

function hasCode(e: unknown, code: EngineErrorCode): boolean {
  return e instanceof Error && (e as { code?: unknown }).code === code;
}
/** True when `e` is a {@linkcode CorruptionError}. */
export function isCorruption(e: unknown): e is CorruptionError {
  return hasCode(e, "CORRUPTION");
}
/** True when `e` is a {@linkcode NotFoundError}. */
export function isNotFound(e: unknown): e is NotFoundError {
  return hasCode(e, "NOT_FOUND");
}
/** True when `e` is an {@linkcode IOError}. */
export function isIOError(e: unknown): e is IOError {
  return hasCode(e, "IO");
}
/** True when `e` is an {@linkcode InvalidArgumentError}. */
export function isInvalidArgument(e: unknown): e is InvalidArgumentError {
  return hasCode(e, "INVALID_ARGUMENT");
}
/** True when `e` is a {@linkcode NotSupportedError}. */
export function isNotSupported(e: unknown): e is NotSupportedError {
  return hasCode(e, "NOT_SUPPORTED");
}
