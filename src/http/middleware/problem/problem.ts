/**
 * {@linkcode problem}: the error handler that ends every failed request with problem details.
 *
 * @module
 */
import type { Context } from "hono";
import { type ProblemOptions, problemResponse } from "./problem_response.ts";

/**
 * Makes the application's error handler (Hono `onError`): every error, from any middleware or route,
 * becomes an `application/problem+json` response through {@linkcode problemResponse}.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { MemoryError } from "../../../memory/errors.ts";
 * import { problem } from "./problem.ts";
 * const app = new Hono();
 * app.onError(problem());
 * app.get("/x", () => { throw new MemoryError("NOT_FOUND", "no x"); });
 * const r = await app.fetch(new Request("http://t/x"));
 * if (r.status !== 404 || r.headers.get("content-type") !== "application/problem+json") throw new Error();
 * ```
 */
export function problem(options: ProblemOptions = {}): (err: Error, c: Context) => Response {
  return function problemHandler(err: Error, _c: Context): Response {
    return problemResponse(err, options);
  };
}
