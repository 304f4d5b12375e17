/**
 * Error handling middleware: every error becomes RFC 9457 problem details.
 *
 * @module
 */
export { problem } from "./problem.ts";
export { type Problem, type ProblemOptions, problemResponse } from "./problem_response.ts";
