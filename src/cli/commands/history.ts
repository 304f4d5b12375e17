/**
 * `t4dm history <id>`: every version of a memory, oldest first.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { defined } from "../_convert.ts";
import { iso, oneLine, table } from "../_format.ts";
import { notFound } from "./_not_found.ts";

/** The `history` command. */
export const history: Command = {
  name: "history",
  summary: "list every version of a memory, oldest first",
  description: "Lists the versions that update and invalidate kept, ending with the current one.\n" +
    "Exits 4 when the memory has no versions (never stored, or forgotten).",
  args: [{ name: "id", help: "the memory's id" }],
  flags: {},
  examples: ["history ID", "history ID --json"],
  async run(ctx) {
    const id = ctx.args.positionals[0]!;
    const versions = await (await ctx.memory()).history(id, defined({ namespace: ctx.global.namespace }));
    if (versions.length === 0) throw notFound("show the history of", id, ctx.global.namespace);
    if (ctx.global.json) {
      await ctx.out.json(versions);
      return 0;
    }
    const rows = versions.map((m) => [
      `v${m.version}`,
      iso(m.recordTime),
      `${iso(m.validFrom)} → ${m.validTo === undefined ? "(open)" : iso(m.validTo)}`,
      oneLine(m.content, 80),
    ]);
    await ctx.out.line(table(["version", "recorded", "valid", "content"], rows));
    return 0;
  },
};
