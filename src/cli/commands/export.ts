/**
 * `t4dm export [--out FILE]`: every current memory of a namespace as JSON lines.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { defined } from "../_convert.ts";
import { writeDurable } from "../_durable.ts";

/** The `export` command. */
export const exportCommand: Command = {
  name: "export",
  summary: "write a namespace's memories as JSON lines",
  description: "Writes one memory a line, oldest first. Without --out the lines go to stdout (with or\n" +
    "without --json). With --out the file is written durably: a temporary file, fsync, rename, so a\n" +
    "crash never leaves a torn export.",
  args: [],
  flags: {
    out: { type: "string", arg: "FILE", help: "write to FILE instead of stdout" },
  },
  examples: ["export > memories.jsonl", "export --out memories.jsonl --namespace team"],
  async run(ctx) {
    const mem = await ctx.memory();
    const lines = mem.export(defined({ namespace: ctx.global.namespace }));
    const out = ctx.args.string("out");
    if (out === undefined || out === "-") {
      let buf = "";
      for await (const l of lines) {
        buf += l + "\n";
        if (buf.length >= 1 << 16) {
          await ctx.out.write(buf);
          buf = "";
        }
      }
      await ctx.out.write(buf);
      return 0;
    }
    const n = await writeDurable(
      out,
      (async function* () {
        for await (const l of lines) yield l + "\n";
      })(),
    );
    if (ctx.global.json) await ctx.out.json({ exported: n, out });
    else await ctx.out.line(`exported ${n} memories to ${out}`);
    return 0;
  },
};
