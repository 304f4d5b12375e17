/**
 * `t4dm get <id>`: one memory, every field.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { defined } from "../_convert.ts";
import { memoryFields } from "../_format.ts";
import { notFound } from "./_not_found.ts";

/** The `get` command. */
export const get: Command = {
  name: "get",
  summary: "show one memory",
  description: "Prints every field of a memory. Exits 4 when there is no such memory.",
  args: [{ name: "id", help: "the memory's id" }],
  flags: {},
  examples: ["get 0190a8c4-5f3e-7b21-9c3d-2f1e0a9b8c7d", "get ID --json"],
  async run(ctx) {
    const id = ctx.args.positionals[0]!;
    const m = await (await ctx.memory()).get(id, defined({ namespace: ctx.global.namespace }));
    if (!m) throw notFound("get", id, ctx.global.namespace);
    if (ctx.global.json) await ctx.out.json(m);
    else await ctx.out.line(memoryFields(m));
    return 0;
  },
};
