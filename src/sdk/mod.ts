/**
 * The T4DM SDK: {@linkcode T4DMClient}, a typed client of the T4DM daemon over `fetch` for Deno, Node
 * and browsers, and its typed errors.
 *
 * @example
 * ```ts ignore
 * import { NotFoundError, T4DMClient } from "./mod.ts";
 * const t4dm = new T4DMClient({ baseUrl: "http://127.0.0.1:8765", namespace: "agent-1" });
 * const m = await t4dm.store({ content: "The deploy moved to Thursday", tags: ["ops"] });
 * try { await t4dm.update("nope", { importance: 1 }); } catch (e) { if (!(e instanceof NotFoundError)) throw e; }
 * ```
 *
 * @module
 */
export { type CallOptions, type FetchLike, T4DMClient, type T4DMClientOptions } from "./client.ts";
export {
  errorFromResponse,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  T4DMHttpError,
  T4DMTimeoutError,
  UnauthorizedError,
  ValidationError,
} from "./errors.ts";
export type {
  FeedbackResult,
  ImportResult,
  Kind,
  Memory,
  Problem,
  RecallOptions,
  RecallResult,
  ScoreParts,
  Stats,
  StoreInput,
  UpdatePatch,
} from "./types.ts";
