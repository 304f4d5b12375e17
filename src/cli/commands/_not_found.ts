/**
 * The not-found error of commands that name one memory.
 *
 * @module
 */
import { MemoryError } from "../../memory/errors.ts";

/** A NOT_FOUND error for memory `id` in `namespace`. */
export function notFound(action: string, id: string, namespace: string | undefined): MemoryError {
  return new MemoryError(
    "NOT_FOUND",
    `Cannot ${action} memory ${JSON.stringify(id)}: no such memory in "${namespace ?? "default"}"`,
  );
}
