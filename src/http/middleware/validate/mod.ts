/**
 * Validation middleware (JSON body, query, path params).
 *
 * @module
 */
export { validate, type ValidateOptions } from "./validate.ts";
