/**
 * `t4dm invalidate <id>`: a memory stops being valid, without being erased.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { defined, timeArg } from "../_convert.ts";
import { iso } from "../_format.ts";

/** The `invalidate` command. */
export const invalidate: Command = {
  name: "invalidate",
  summary: "mark a memory as no longer valid (recall skips it unless --as-of)",
  description: "Ends a memory's validity at --at (default: now). It is kept: `recall --as-of` an\n" +
    "earlier time still finds it, and `history` shows it. Exits 4 when there is no such memory.",
  args: [{ name: "id", help: "the memory's id" }],
  flags: {
    at: { type: "string", arg: "T", help: "end of validity: ISO-8601 or ms (default: now)" },
  },
  examples: ["invalidate ID", "invalidate ID --at 2024-01-01T00:00:00Z"],
  async run(ctx) {
    const options = defined({ namespace: ctx.global.namespace, at: timeArg("at", ctx.args.string("at")) });
    const m = await (await ctx.memory()).invalidate(ctx.args.positionals[0]!, options);
    if (ctx.global.json) await ctx.out.json(m);
    else await ctx.out.line(`invalidated ${m.id} from ${iso(m.validTo)}`);
    return 0;
  },
};
