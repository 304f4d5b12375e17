/**
 * `t4dm forget <id>`: erases a memory and its history for good.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { defined } from "../_convert.ts";
import { notFound } from "./_not_found.ts";

/** The `forget` command. */
export const forget: Command = {
  name: "forget",
  summary: "erase a memory and its history for good",
  description: "Deletes a memory and every earlier version from every index. Use `invalidate` to\n" +
    "keep it for the record instead. Exits 4 when there was nothing to erase.",
  args: [{ name: "id", help: "the memory's id" }],
  flags: {},
  examples: ["forget ID"],
  async run(ctx) {
    const id = ctx.args.positionals[0]!;
    const gone = await (await ctx.memory()).forget(id, defined({ namespace: ctx.global.namespace }));
    if (!gone) throw notFound("forget", id, ctx.global.namespace);
    if (ctx.global.json) await ctx.out.json({ id, forgotten: true });
    else await ctx.out.line(`forgot ${id}`);
    return 0;
  },
};
