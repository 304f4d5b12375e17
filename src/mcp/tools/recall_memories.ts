/**
 * `recall_memories`: ranked recall by meaning, words and time.
 *
 * @module
 */
import { z } from "zod";
import { RecallOptionsSchema } from "../../memory/schema.ts";
import { formatMemory, round } from "../_format.ts";
import { MemoryOutputSchema, NamespaceField, TagsField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

const r = RecallOptionsSchema.shape;
const n = (what: string) => z.number().optional().describe(what);

/** Score components, present when `explain` was asked for. */
const ExplainSchema = z.object({
  vectorRank: n("Rank in the meaning (vector) search, 1-based; absent when not a vector candidate"),
  vectorScore: n("Cosine similarity to the query"),
  lexicalRank: n("Rank in the word (BM25) search, 1-based; absent when not a word candidate"),
  lexicalScore: n("BM25 score"),
  fused: z.number().describe("Reciprocal-rank fusion of the two searches"),
  temporal: z.number().describe("Boost for falling in the query's time window"),
  importance: z.number().describe("Contribution of the memory's importance"),
  kappa: z.number().describe("Contribution of its consolidation level"),
  recency: z.number().describe("Contribution of its recency"),
  total: z.number().describe("Final score, the sum used for ranking"),
}).describe("Each component of the score");

/** Recalls the memories that best answer a query, best first. */
export const recallMemoriesTool = defineTool({
  name: "recall_memories",
  title: "Recall Memories",
  description: "Finds the stored memories that best answer a question, ranked by meaning, shared words, " +
    "time and importance. Use it before answering anything that may depend on what the user said or did " +
    "before (preferences, facts, past events, earlier decisions). Narrow by time with 'when' (natural " +
    "language, e.g. 'last week') or 'window', by session, tags or kinds; 'asOf' sees the memories as they " +
    "were valid at a past time. Returns nothing when no memory matches.",
  input: z.strictObject({
    query: r.query.describe("The question or topic, in words, e.g. 'what does Ada drink in the morning?'"),
    k: r.k.describe("How many memories to return, 1..1000; default 10"),
    namespace: NamespaceField,
    when: r.when.describe(
      "Natural-language time window for when things happened, e.g. 'yesterday', 'last Tuesday', 'in May 2023'",
    ),
    window: z.strictObject({
      from: r.window.unwrap().shape.from.describe("Start (inclusive): ms or ISO-8601; open when absent"),
      to: r.window.unwrap().shape.to.describe("End (exclusive): ms or ISO-8601; open when absent"),
    }).optional().describe("Exact event-time window; takes precedence over 'when'"),
    session: r.session.describe("Only memories of this session"),
    tags: TagsField.describe("Only memories carrying all these tags"),
    kinds: r.kinds.describe("Only these kinds: episodic, semantic, procedural"),
    asOf: r.asOf.describe(
      "Bitemporal: only memories valid at this time (ms or ISO-8601), including since-invalidated ones",
    ),
    explain: r.explain.describe("Also return each component of every score"),
  }),
  output: z.object({
    results: z.array(
      z.object({
        memory: MemoryOutputSchema,
        score: z.number().describe("Relevance score; higher is better, comparable only within one call"),
        explain: ExplainSchema.optional(),
      }).describe("One recalled memory"),
    ).describe("Recalled memories, best first; empty when nothing matches"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(mem, args) {
    const results = await mem.recall(args);
    const text = results.length === 0
      ? `No memories match ${JSON.stringify(args.query)}.`
      : `${results.length} memories, best first:\n` +
        results.map((x, i) => formatMemory(x.memory, `${i + 1}. score ${round(x.score)} `)).join("\n");
    return { text, data: { results } };
  },
});
