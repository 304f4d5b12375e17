/**
 * Authentication middleware.
 *
 * @module
 */
export { auth, type AuthOptions } from "./auth.ts";
