/**
 * `t4dm demo`: writes keys through the storage engine, reads them back, prints the engine's figures.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";
import { T4DX, WriteBatch } from "../../../engine/mod.ts";

/** The `demo` command (used by `deno task start`). */
export const demo: Command = {
  name: "demo",
  summary: "storage engine demo: write N keys, read them back, print stats",
  description: "Runs against its own directory (default .t4dm/demo), not the memory store.",
  local: true,
  args: [],
  flags: { keys: { type: "string", arg: "N", help: "how many keys (default 100000)" } },
  examples: ["demo --keys 10000"],
  async run(ctx) {
    const dir = ctx.args.string("data-dir") ?? ".t4dm/demo";
    const raw = ctx.args.string("keys") ?? "100000";
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) {
      throw new UsageError(`flag "--keys" needs a positive integer, got ${JSON.stringify(raw)}`);
    }
    const db = await T4DX.open(dir);
    const value = "x".repeat(100);
    const key = (i: number) => `demo:${String(i).padStart(9, "0")}`;
    let t = performance.now();
    for (let i = 0; i < n; i += 1000) {
      const b = new WriteBatch();
      for (let j = i; j < Math.min(n, i + 1000); j++) b.put(key(j), value);
      await db.write(b);
    }
    const writeMs = performance.now() - t;
    t = performance.now();
    let found = 0;
    for (let i = 0; i < n; i++) if (db.get(key(i))) found++;
    const readMs = performance.now() - t;
    const stats = db.stats();
    await db.close();
    if (ctx.global.json) {
      await ctx.out.json({ keys: n, found, writeMs, readMs, stats });
    } else {
      await ctx.out.line(
        `wrote ${n} keys in ${writeMs.toFixed(0)} ms (${(n / writeMs * 1000).toFixed(0)}/s, batches of 1000)`,
      );
      await ctx.out.line(
        `read ${found}/${n} keys in ${readMs.toFixed(0)} ms (${(n / readMs * 1000).toFixed(0)}/s)`,
      );
      await ctx.out.json(stats);
    }
    return found === n ? 0 : 1;
  },
};
