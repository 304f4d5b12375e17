/**
 * The memory data model and the schemas that validate every input, shared by the library, the CLI,
 * the HTTP daemon (which also generates its OpenAPI document from them) and the MCP server.
 *
 * @module
 */
import { z } from "zod";
import { MemoryError } from "./errors.ts";

/** Memory kinds. */
export const KINDS = ["episodic", "semantic", "procedural"] as const;
/** A memory kind. */
export type Kind = typeof KINDS[number];

const MAX_CONTENT = 100_000;

/** A namespace (tenant) name. */
export const NamespaceSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, {
  message: "must be 1–128 characters of letters, digits, '.', '_', ':' or '-'",
}).describe("Tenant namespace; memories never cross namespaces");

/** A time: ms since the epoch, or an ISO-8601 string. */
export const TimeSchema = z.union([
  z.number().finite().min(-8.64e15).max(8.64e15),
  z.string().min(1).max(64).refine((s) => !Number.isNaN(Date.parse(s)), {
    message: "must be an ISO-8601 date",
  }),
]).describe("Milliseconds since the epoch, or an ISO-8601 date string");

/** Converts a validated time to ms. */
export function toMs(t: number | string): number {
  return typeof t === "number" ? t : Date.parse(t);
}

// "." and ".." are refused: as a URL path segment they mean "this folder" and "its parent", so no client
// could name such a memory in /v1/memories/:id.
const IdSchema = z.string().min(1).max(128).regex(/^(?!\.\.?$)[A-Za-z0-9._:-]+$/, {
  message: "must be letters, digits, '.', '_', ':' or '-', and not '.' or '..'",
});

const JsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().finite(),
    z.boolean(),
    z.null(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ])
);

/** Input of `store`. */
export const StoreInputSchema = z.strictObject({
  id: IdSchema.optional().describe("Id to use (import); minted as a UUIDv7 when absent"),
  content: z.string().min(1).max(MAX_CONTENT).describe("What happened or what is known, as text"),
  namespace: NamespaceSchema.optional(),
  session: z.string().min(1).max(256).optional().describe("Conversation or task session"),
  kind: z.enum(KINDS).optional().describe("episodic (default), semantic or procedural"),
  actor: z.string().min(1).max(256).optional().describe("Who said or did it"),
  eventTime: TimeSchema.optional().describe("When it happened; defaults to now"),
  validFrom: TimeSchema.optional().describe("Start of validity; defaults to eventTime"),
  validTo: TimeSchema.optional().describe("End of validity (exclusive)"),
  importance: z.number().min(0).max(1).optional().describe("0..1, default 0.5"),
  kappa: z.number().min(0).max(1).optional().describe("Consolidation level 0..1 (import only)"),
  tags: z.array(z.string().min(1).max(64)).max(64).optional(),
  metadata: z.record(z.string(), JsonValue).optional().describe("Arbitrary JSON"),
  provenance: z.array(IdSchema).max(1024).optional().describe("Ids of source memories"),
});
/** Input of `store`. */
export type StoreInput = z.input<typeof StoreInputSchema>;

/** A metadata condition. */
export const MetadataConditionSchema = z.union([
  z.strictObject({ eq: JsonValue }),
  z.strictObject({ in: z.array(JsonValue).max(1000) }),
  z.strictObject({
    gte: z.union([z.number(), z.string()]).optional(),
    lte: z.union([z.number(), z.string()]).optional(),
    gt: z.union([z.number(), z.string()]).optional(),
    lt: z.union([z.number(), z.string()]).optional(),
  }),
]);

/** Options of `recall`. */
export const RecallOptionsSchema = z.strictObject({
  query: z.string().min(1).max(10_000).describe("What to remember, in words"),
  k: z.number().int().min(1).max(1000).optional().describe("How many memories, default 10"),
  namespace: NamespaceSchema.optional(),
  session: z.string().min(1).max(256).optional(),
  kinds: z.array(z.enum(KINDS)).max(3).optional(),
  tags: z.array(z.string().min(1).max(64)).max(64).optional().describe("All must be present"),
  metadata: z.record(z.string(), MetadataConditionSchema).optional(),
  window: z.strictObject({ from: TimeSchema.optional(), to: TimeSchema.optional() }).optional()
    .describe("Event-time window: from inclusive, to exclusive"),
  when: z.string().min(1).max(200).optional().describe(
    'Natural-language time window, e.g. "last Tuesday" or "in May 2023"',
  ),
  asOf: TimeSchema.optional().describe("Bitemporal: only memories valid at this time"),
  now: TimeSchema.optional().describe("Reference time for relative dates and recency; defaults to now"),
  minScore: z.number().min(0).optional(),
  explain: z.boolean().optional().describe("Return each component's score"),
});
/** Options of `recall`. */
export type RecallOptions = z.input<typeof RecallOptionsSchema>;

/** A patch of `update`. */
export const UpdatePatchSchema = z.strictObject({
  content: z.string().min(1).max(MAX_CONTENT).optional(),
  actor: z.string().min(1).max(256).optional(),
  kind: z.enum(KINDS).optional(),
  eventTime: TimeSchema.optional(),
  importance: z.number().min(0).max(1).optional(),
  tags: z.array(z.string().min(1).max(64)).max(64).optional(),
  metadata: z.record(z.string(), JsonValue).optional(),
});
/** A patch of `update`. */
export type UpdatePatch = z.input<typeof UpdatePatchSchema>;

/** A stored memory as the library returns it. Times are ms since the epoch. */
export interface Memory {
  id: string;
  namespace: string;
  session?: string;
  kind: Kind;
  content: string;
  actor?: string;
  eventTime: number;
  recordTime: number;
  validFrom: number;
  validTo?: number;
  importance: number;
  kappa: number;
  tags: string[];
  metadata: Record<string, unknown>;
  provenance: string[];
  access: { count: number; last?: number };
  version: number;
}

/**
 * Validates `input` against `schema`; on failure throws a VALIDATION {@linkcode MemoryError} whose
 * message names the first offending field.
 *
 * @example
 * ```ts
 * import { parse, StoreInputSchema } from "./schema.ts";
 * try {
 *   parse(StoreInputSchema, { content: "x", importance: 3 }, "store");
 *   throw new Error("accepted a bad importance");
 * } catch (e) {
 *   if (!(e as Error).message.includes('"importance"')) throw e;
 * }
 * ```
 */
export function parse<T extends z.ZodType>(schema: T, input: unknown, action: string): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join(".") ||
    ((issue as { keys?: string[] }).keys ?? []).join(",") || "(root)";
  throw new MemoryError("VALIDATION", `Cannot ${action}: field "${field}" ${issue.message}`, { field });
}
