/**
 * Stats, consolidation (a placeholder), health, readiness and the OpenAPI document.
 *
 * @module
 */
import { z } from "zod";
import { HttpError } from "../http_error.ts";
import { defineRoute, json, type RouteDef } from "../route.ts";
import { ProblemSchema, StatsResponseSchema, StatusSchema } from "../schemas.ts";

/** The system routes; `document` gives the OpenAPI document. */
export function systemRoutes(document: () => unknown): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/v1/stats",
      operationId: "stats",
      summary: "Counts per namespace",
      description:
        "Memory and vector counts of the namespaces the key may read; engine figures for admin keys.",
      access: "read",
      namespaced: false,
      responses: { 200: { description: "Figures", schema: StatsResponseSchema } },
      async handle({ mem, principal }) {
        const s = await mem.stats();
        const allowed = principal.namespaces;
        const namespaces = Object.fromEntries(
          Object.entries(s.namespaces).filter(([ns]) => allowed === "*" || allowed.includes(ns)),
        );
        const out: z.output<typeof StatsResponseSchema> = {
          namespaces,
          embedder: s.embedder,
          embedderRuntime: s.embedderRuntime,
        };
        if (principal.scopes.includes("admin")) out.engine = { ...s.engine };
        return json(out);
      },
    }),
    defineRoute({
      method: "POST",
      path: "/v1/consolidate",
      operationId: "consolidate",
      summary: "Consolidate memories (not implemented yet)",
      description: "Reserved for sleep-like consolidation. The library has no consolidation yet, so this " +
        "route always answers 501 Not Implemented with problem details.",
      access: "admin",
      namespaced: false,
      responses: {
        501: {
          description: "Always, for now",
          schema: ProblemSchema,
          contentType: "application/problem+json",
        },
      },
      handle() {
        throw new HttpError("NOT_IMPLEMENTED", "Cannot consolidate: consolidation is not implemented yet");
      },
    }),
    defineRoute({
      method: "GET",
      path: "/health",
      operationId: "health",
      summary: "Liveness",
      description: "200 while the process serves HTTP. No authentication.",
      access: "public",
      namespaced: false,
      responses: { 200: { description: "Alive", schema: StatusSchema } },
      handle: () => json({ status: "ok" }),
    }),
    defineRoute({
      method: "GET",
      path: "/ready",
      operationId: "ready",
      summary: "Readiness",
      description:
        "200 once the store is open; 503 while starting or draining for shutdown. No authentication.",
      access: "public",
      namespaced: false,
      responses: {
        200: { description: "Ready", schema: StatusSchema },
        503: { description: "Starting or draining", schema: StatusSchema },
      },
      handle({ readiness }) {
        const status = readiness();
        return json({ status }, status === "ready" ? 200 : 503);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/openapi.json",
      operationId: "openapi",
      summary: "This API's OpenAPI 3.1 document",
      description: "Generated from the same zod schemas that validate requests.",
      access: "any",
      namespaced: false,
      responses: { 200: { description: "The document", schema: z.record(z.string(), z.unknown()) } },
      handle: () => json(document()),
    }),
  ];
}
