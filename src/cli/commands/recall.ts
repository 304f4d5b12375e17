/**
 * `t4dm recall <query>`: the memories that best answer a question.
 *
 * @module
 */
import type { Command } from "../command.ts";
import type { RecallOptions } from "../../memory/schema.ts";
import type { RecallResult } from "../../memory/t4dm.ts";
import { UsageError } from "../args.ts";
import { defined, numberArg, timeArg } from "../_convert.ts";
import { oneLine, shortTime } from "../_format.ts";

function explainLine(e: NonNullable<RecallResult["explain"]>): string {
  const f = (x: number | undefined, d = 2) => (x === undefined ? "—" : x.toFixed(d));
  const rank = (r: number | undefined) => (r === undefined ? "" : ` (#${r})`);
  return `vector ${f(e.vectorScore, 3)}${rank(e.vectorRank)} · words ${f(e.lexicalScore, 3)}${
    rank(e.lexicalRank)
  }` +
    ` → fused ${f(e.fused, 4)} × (1 + time ${f(e.temporal)} + importance ${f(e.importance)}` +
    ` + kappa ${f(e.kappa)} + recency ${f(e.recency)})`;
}

/** The `recall` command. */
export const recall: Command = {
  name: "recall",
  summary: "recall the memories that best answer a query",
  description: "Ranks memories by meaning, words and time. --when, --from/--to bound event time; --as-of\n" +
    "asks what was valid then; --now sets the reference for relative dates and recency.",
  args: [{ name: "query", help: "what to remember, in words" }],
  flags: {
    k: { type: "string", arg: "N", help: "how many memories (default 10)" },
    session: { type: "string", arg: "S", help: "only this session" },
    kind: { type: "string", multiple: true, arg: "K", help: "only these kinds (repeatable)" },
    tag: { type: "string", multiple: true, arg: "T", help: "only memories with all these tags (repeatable)" },
    when: { type: "string", arg: "TEXT", help: 'natural-language window, e.g. "last Tuesday"' },
    from: { type: "string", arg: "T", help: "event time from (inclusive): ISO-8601 or ms" },
    to: { type: "string", arg: "T", help: "event time to (exclusive): ISO-8601 or ms" },
    "as-of": { type: "string", arg: "T", help: "only memories valid at this time" },
    now: { type: "string", arg: "T", help: "reference time (default: now)" },
    explain: { type: "boolean", help: "show each component's score" },
  },
  examples: [
    'recall "what does Ada drink?"',
    'recall "standup notes" --when "last Tuesday" --k 5 --explain',
  ],
  async run(ctx) {
    const a = ctx.args;
    const kinds = a.strings("kind");
    const tags = a.strings("tag");
    const from = timeArg("from", a.string("from"));
    const to = timeArg("to", a.string("to"));
    if (a.has("when") && (from !== undefined || to !== undefined)) {
      throw new UsageError(`give either --when or --from/--to, not both`, { field: "--when" });
    }
    const options: RecallOptions = {
      query: a.positionals[0]!,
      ...defined({
        namespace: ctx.global.namespace,
        k: numberArg("k", a.string("k")),
        session: a.string("session"),
        kinds: kinds.length ? kinds as RecallOptions["kinds"] : undefined,
        tags: tags.length ? tags : undefined,
        when: a.string("when"),
        window: from === undefined && to === undefined ? undefined : defined({ from, to }),
        asOf: timeArg("as-of", a.string("as-of")),
        now: timeArg("now", a.string("now")),
        explain: a.boolean("explain") || undefined,
      }),
    };
    const results = await (await ctx.memory()).recall(options);
    if (ctx.global.json) {
      await ctx.out.json(results);
      return 0;
    }
    if (results.length === 0) {
      await ctx.err.line(`t4dm recall: nothing found`);
      return 0;
    }
    const lines: string[] = [];
    results.forEach((r, i) => {
      const m = r.memory;
      const who = m.actor === undefined ? "" : `  ${m.actor}`;
      lines.push(
        `${String(i + 1).padStart(2)}. ${r.score.toFixed(3)}  ${shortTime(m.eventTime)}  ${m.id}${who}`,
      );
      lines.push(`    ${oneLine(m.content, 200)}`);
      if (r.explain) lines.push(`    ${explainLine(r.explain)}`);
    });
    await ctx.out.line(lines.join("\n"));
    return 0;
  },
};
