/**
 * The Hono environment shared by the daemon's middleware and routes.
 *
 * @module
 */
import type { Principal } from "./key_store.ts";

/** What the validation middleware validates. */
export type Target = "json" | "query" | "params";

/** Per-request variables set by middleware. */
export interface AppEnv {
  Variables: {
    /** Set by auth. */
    principal: Principal;
    /** Set by validate, one entry per validated target. */
    valid: Partial<Record<Target, unknown>>;
  };
}
