/**
 * Per-key rate limiting middleware.
 *
 * @module
 */
export { rateLimit, type RateLimitOptions } from "./rate_limit.ts";
