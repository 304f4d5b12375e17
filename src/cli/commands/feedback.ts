/**
 * `t4dm feedback <id> --useful | --not-useful`: says whether a recalled memory helped, which moves its
 * importance (and so its recall rank) up or down by the store's feedback step.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";
import { defined } from "../_convert.ts";
import { notFound } from "./_not_found.ts";

/** `x` rounded to 3 decimals, for the readable line (0.1 steps drift: 0.6000000000000001). */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The `feedback` command. */
export const feedback: Command = {
  name: "feedback",
  summary: "say whether a recalled memory was useful (moves its importance up or down)",
  description:
    "With --useful the memory's importance rises by the store's feedback step (0.1 by default),\n" +
    "with --not-useful it falls by it, kept within 0..1; recall ranks by importance among other\n" +
    "things. Not a new version: content and history are unchanged. Give exactly one of the two flags.\n" +
    "--json prints {memory, previousImportance, importance}, as the daemon answers. Exits 4 when\n" +
    "there is no such memory.",
  args: [{ name: "id", help: "the memory's id" }],
  flags: {
    useful: { type: "boolean", help: "the memory helped: raise its importance" },
    "not-useful": { type: "boolean", help: "the memory did not help: lower its importance" },
  },
  examples: ["feedback ID --useful", "feedback ID --not-useful --namespace team --json"],
  async run(ctx) {
    const a = ctx.args;
    if (a.has("useful") === a.has("not-useful")) {
      throw new UsageError(
        a.has("useful")
          ? "give either --useful or --not-useful, not both"
          : "say whether the memory helped: give --useful or --not-useful",
      );
    }
    // `--useful=false` reads as `--not-useful`, and `--not-useful=false` as `--useful`.
    const useful = a.has("useful") ? a.boolean("useful") : !a.boolean("not-useful");
    const id = a.positionals[0]!;
    const ns = defined({ namespace: ctx.global.namespace });
    const mem = await ctx.memory();
    // Read first for the importance before, as the MCP tool does; the feedback itself is one atomic
    // write, so a concurrent feedback through a daemon may fall between the two, never get lost.
    const before = await mem.get(id, ns);
    if (!before) throw notFound("give feedback on", id, ctx.global.namespace);
    const memory = await mem.feedback(id, useful, ns);
    if (ctx.global.json) {
      await ctx.out.json({ memory, previousImportance: before.importance, importance: memory.importance });
    } else {
      await ctx.out.line(
        `${useful ? "useful" : "not useful"}: importance of ${memory.id} ${round(before.importance)} → ${
          round(memory.importance)
        }`,
      );
    }
    return 0;
  },
};
