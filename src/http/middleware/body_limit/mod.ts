/**
 * Body size middleware.
 *
 * @module
 */
export { bodyLimit, type BodyLimitOptions } from "./body_limit.ts";
