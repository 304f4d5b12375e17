/**
 * {@linkcode openapiDocument}: the OpenAPI 3.1 document, generated from the route table and its zod
 * schemas with `z.toJSONSchema`. Nothing in it is written by hand but prose.
 *
 * @module
 */
import { z } from "zod";
import { NamespaceSchema, RecallOptionsSchema, StoreInputSchema } from "../memory/schema.ts";
import type { RouteDef } from "./route.ts";
import { MemorySchema, ProblemSchema } from "./schemas.ts";

type Json = Record<string, unknown>;

const NAMED: [z.ZodType, string][] = [
  [StoreInputSchema.shape.metadata.unwrap().valueType, "JsonValue"],
  [MemorySchema, "Memory"],
  [ProblemSchema, "Problem"],
  [StoreInputSchema, "StoreInput"],
  [RecallOptionsSchema, "RecallOptions"],
];

function errors(r: RouteDef): Record<number, string> {
  const out: Record<number, string> = {};
  if (r.params || r.query || r.body || r.namespaced) out[400] = "Malformed or invalid input";
  if (r.access !== "public") {
    out[401] = "No valid API key";
    out[403] = "The key lacks the scope or the namespace";
    out[429] = "Rate limited; see Retry-After";
  }
  if (r.params) out[404] = "No such memory";
  if (r.body) out[413] = "Body too large";
  if (r.body) out[415] = "Wrong Content-Type";
  out[500] = "Internal error (details only in the server log)";
  out[503] = "Store closed or unavailable";
  return out;
}

function parameters(where: "path" | "query", schema: z.ZodType | undefined): Json[] {
  if (!schema) return [];
  const s = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === "path" || (s.required ?? []).includes(name),
    ...(typeof p.description === "string" ? { description: p.description } : {}),
    schema: p,
  }));
}

/**
 * Builds the OpenAPI 3.1 document of `routes`.
 *
 * @example
 * ```ts
 * import { openapiDocument } from "./openapi.ts";
 * const doc = openapiDocument([], { title: "T4DM", version: "0" }) as { openapi: string };
 * if (doc.openapi !== "3.1.0") throw new Error(doc.openapi);
 * ```
 */
export function openapiDocument(
  routes: RouteDef[],
  info: { title: string; version: string; description?: string },
): Json {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  const ref = (schema: z.ZodType, name: string): Json => {
    let id = ids.get(schema);
    if (!id) registry.add(schema, { id: id = name }), ids.set(schema, id);
    return { $ref: `#/components/schemas/${id}` };
  };
  for (const [s, name] of NAMED) ref(s, name);
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const cap = r.operationId[0]!.toUpperCase() + r.operationId.slice(1);
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.path.startsWith("/v1/") ? "memory" : "system"],
      security: r.access === "public" ? [] : [{ bearer: [] }],
      ...(r.access === "public" || r.access === "any" ? {} : { "x-t4dm-scope": r.access }),
    };
    const params = [...parameters("path", r.params), ...parameters("query", r.query)];
    if (r.namespaced) {
      params.push({
        name: "X-T4DM-Namespace",
        in: "header",
        required: false,
        description: "Namespace when neither body nor query names one; the key's first namespace otherwise",
        schema: z.toJSONSchema(NamespaceSchema, { io: "input" }) as Json,
      });
    }
    if (params.length) op.parameters = params;
    if (r.body) {
      // OpenAPI 3.1 cannot type the lines of a text body: the line schema goes in an extension.
      op.requestBody = "jsonl" in r.body
        ? {
          required: true,
          content: {
            "application/x-ndjson": {
              schema: { type: "string", description: "JSON lines, one object each" },
              "x-t4dm-line-schema": ref(r.body.jsonl, `${cap}Line`),
            },
          },
        }
        : {
          required: !r.body.optional,
          content: { "application/json": { schema: ref(r.body.schema, `${cap}Request`) } },
        };
    }
    const responses: Json = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const type = spec.contentType ?? "application/json";
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? { content: { [type]: { schema: ref(spec.schema, `${cap}Response${status}`) } } }
          : {}),
      };
    }
    for (const [status, description] of Object.entries(errors(r))) {
      responses[status] ??= {
        description,
        content: { "application/problem+json": { schema: ref(ProblemSchema, "Problem") } },
      };
    }
    op.responses = responses;
    (paths[r.path.replace(/:(\w+)/g, "{$1}")] ??= {})[r.method.toLowerCase()] = op;
  }
  const gen = z.toJSONSchema(registry, { io: "input", uri: (id) => `#/components/schemas/${id}` });
  const schemas: Json = {};
  for (const [id, s] of Object.entries(gen.schemas)) {
    const { $schema: _, $defs, ...rest } = s as Json;
    if (id === "__shared") Object.assign(schemas, $defs);
    else schemas[id] = $defs ? { ...rest, $defs } : rest;
  }
  const doc = {
    openapi: "3.1.0",
    info,
    paths,
    components: { schemas, securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
  };
  // Shared definitions were lifted into components; point their references there.
  return JSON.parse(
    JSON.stringify(doc).replaceAll("#/components/schemas/__shared#/$defs/", "#/components/schemas/"),
  );
}
