/**
 * The T4DM HTTP daemon: {@linkcode createHandler} (the daemon as a function), {@linkcode serve} (the
 * daemon on a socket, for `t4dm serve`) and API key management (for `t4dm keys add/list/revoke`).
 *
 * @module
 */
export { createHandler, type HandlerOptions } from "./handler.ts";
export { isLoopback, serve, type ServeOptions, type T4DMServer } from "./serve.ts";
export { createKey, type KeyInfo, listKeys, revokeKey, type Scope, SCOPES } from "./keys.ts";
export { KeyStore, type Principal } from "./key_store.ts";
export { DEFAULT_LIMITS, type Limits } from "./route.ts";
export type { Problem } from "./middleware/problem/mod.ts";
