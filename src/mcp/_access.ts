/**
 * What an API key may do through MCP: the one place where the tools and the context resource check a
 * caller's scope and namespaces before anything reaches the library. The rules are the HTTP daemon's
 * (src/http/key_store.ts, src/http/_namespace.ts), imported rather than copied:
 *
 * - A tool that changes nothing (`readOnlyHint: true`) needs the `read` scope, every other tool `write`.
 *   As in the daemon, `admin` implies both and `write` does not imply `read`.
 * - A call naming no namespace uses the key's first namespace; a call naming one outside the key's
 *   namespaces is refused (FORBIDDEN) before the library is called.
 * - Listings across namespaces (memory_stats, the context resource list) show only the key's namespaces;
 *   engine figures are for admin keys only (as `/v1/stats`).
 *
 * Without a key (stdio, or HTTP while no key exists) the principal is `OPEN_PRINCIPAL`, which allows
 * everything and leaves a missing namespace to the library's default.
 *
 * @module
 */
import { MemoryError } from "../memory/errors.ts";
import { authorizeNamespace, resolveNamespace } from "../http/_namespace.ts";
import type { Principal } from "../http/key_store.ts";
import type { Scope } from "../http/keys.ts";
import type { McpTool } from "./_tool.ts";

export { OPEN_PRINCIPAL } from "../http/key_store.ts";
export type { Principal } from "../http/key_store.ts";

/** The namespace a store uses when a call names none and the key has no default (`T4DMOptions`). */
const STORE_DEFAULT_NAMESPACE = "default";

/**
 * The scope a tool needs: `read` for a tool that changes nothing, `write` for every other.
 *
 * @param tool The tool.
 * @returns `"read"` or `"write"`.
 *
 * @example
 * ```ts
 * import { toolScope } from "./_access.ts";
 * import { recallMemoriesTool, storeMemoryTool } from "./tools/mod.ts";
 * if (toolScope(recallMemoriesTool) !== "read" || toolScope(storeMemoryTool) !== "write") {
 *   throw new Error("wrong scopes");
 * }
 * ```
 */
export function toolScope(tool: McpTool): Scope {
  return tool.annotations.readOnlyHint ? "read" : "write";
}

/**
 * Throws FORBIDDEN unless `principal` holds `scope`.
 *
 * @param principal The caller.
 * @param scope The scope the action needs.
 * @param action What was attempted, e.g. `"call store_memory"`.
 * @throws {MemoryError} FORBIDDEN, naming the missing scope.
 *
 * @example
 * ```ts
 * import { requireScope } from "./_access.ts";
 * const reader = { keyId: "k", namespaces: ["a"], scopes: ["read" as const], defaultNamespace: "a" };
 * requireScope(reader, "read", "call recall_memories");
 * try { requireScope(reader, "write", "call store_memory"); throw new Error("allowed"); } catch (e) {
 *   if (!(e as Error).message.includes('"write" scope')) throw e;
 * }
 * ```
 */
export function requireScope(principal: Principal, scope: Scope, action: string): void {
  if (principal.scopes.includes(scope)) return;
  throw new MemoryError("FORBIDDEN", `Cannot ${action}: the API key lacks the "${scope}" scope`);
}

/**
 * The namespace a call works in, checked against the key: `ns` if given, else the key's default
 * namespace, else (a key for every namespace, or no key) `undefined`, which leaves it to the store.
 *
 * @param principal The caller.
 * @param ns The namespace the call names, if any (already validated).
 * @returns The namespace to pass to the library, or undefined for the store's default.
 * @throws {MemoryError} FORBIDDEN when the key is not scoped to the namespace.
 *
 * @example
 * ```ts
 * import { scopeNamespace } from "./_access.ts";
 * const p = { keyId: "k", namespaces: ["a", "b"], scopes: ["read" as const], defaultNamespace: "a" };
 * if (scopeNamespace(p, undefined) !== "a" || scopeNamespace(p, "b") !== "b") throw new Error("wrong");
 * try { scopeNamespace(p, "c"); throw new Error("allowed"); } catch (e) {
 *   if ((e as { code?: string }).code !== "FORBIDDEN") throw e;
 * }
 * ```
 */
export function scopeNamespace(principal: Principal, ns: string | undefined): string | undefined {
  if (ns === undefined && principal.defaultNamespace === undefined && principal.namespaces === "*") {
    return undefined;
  }
  const resolved = resolveNamespace({ body: ns }, principal, STORE_DEFAULT_NAMESPACE);
  authorizeNamespace(principal, resolved);
  return resolved;
}

/**
 * Whether `principal` may see namespace `ns` in a listing.
 *
 * @param principal The caller.
 * @param ns A namespace name.
 * @returns True for a key scoped to `ns` or to every namespace.
 *
 * @example
 * ```ts
 * import { canSee } from "./_access.ts";
 * const p = { keyId: "k", namespaces: ["a"], scopes: ["read" as const], defaultNamespace: "a" };
 * if (!canSee(p, "a") || canSee(p, "b")) throw new Error("wrong");
 * ```
 */
export function canSee(principal: Principal, ns: string): boolean {
  return principal.namespaces === "*" || principal.namespaces.includes(ns);
}
