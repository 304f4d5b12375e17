/**
 * Which namespace a request works in, and whether its key may use it.
 *
 * @module
 */
import { MemoryError } from "../memory/errors.ts";
import { NamespaceSchema } from "../memory/schema.ts";
import type { Principal } from "./key_store.ts";

/**
 * The request's namespace: the body's `namespace`, else the query's, else the `X-T4DM-Namespace`
 * header, else the key's first namespace, else `fallback` (the store's default).
 *
 * @throws {MemoryError} VALIDATION for a malformed header.
 */
export function resolveNamespace(
  from: { body?: string | undefined; query?: string | undefined; header?: string | undefined },
  principal: Principal,
  fallback: string,
): string {
  let header = from.header;
  if (header !== undefined) {
    header = header.trim();
    if (!NamespaceSchema.safeParse(header).success) {
      throw new MemoryError(
        "VALIDATION",
        `Cannot read header "X-T4DM-Namespace": must be 1–128 characters of letters, digits, '.', '_', ':' or '-'`,
        { field: "X-T4DM-Namespace" },
      );
    }
  }
  return from.body ?? from.query ?? header ?? principal.defaultNamespace ?? fallback;
}

/**
 * Throws FORBIDDEN unless `principal` may use namespace `ns`.
 *
 * @example
 * ```ts
 * import { authorizeNamespace } from "./_namespace.ts";
 * const p = { keyId: "k", namespaces: ["a"], scopes: ["read" as const], defaultNamespace: "a" };
 * authorizeNamespace(p, "a");
 * try { authorizeNamespace(p, "b"); throw new Error("allowed"); } catch (e) {
 *   if ((e as { code?: string }).code !== "FORBIDDEN") throw e;
 * }
 * ```
 */
export function authorizeNamespace(principal: Principal, ns: string): void {
  if (principal.namespaces === "*" || principal.namespaces.includes(ns)) return;
  throw new MemoryError("FORBIDDEN", `Cannot use namespace "${ns}": the API key is not scoped to it`);
}
