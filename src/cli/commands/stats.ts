/**
 * `t4dm stats`: memory counts per namespace and the engine's figures.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { fields, table } from "../_format.ts";
import { formatBytes } from "../progress.ts";

/** The `stats` command. */
export const stats: Command = {
  name: "stats",
  summary: "show memory counts per namespace and storage figures",
  args: [],
  flags: {},
  examples: ["stats", "stats --json"],
  async run(ctx) {
    const s = await (await ctx.memory()).stats();
    if (ctx.global.json) {
      await ctx.out.json(s);
      return 0;
    }
    const e = s.engine;
    const ns = Object.entries(s.namespaces).map(([n, c]) => [n, String(c.memories), String(c.vectors)]);
    const levels = e.levels.filter((l) => l.files > 0).map((l) =>
      `L${l.level} ${l.files} (${formatBytes(l.bytes)})`
    );
    await ctx.out.line(
      fields([
        ["data dir", ctx.global.dataDir],
        ["embedder", s.embedder],
        ["tables", levels.length ? levels.join(", ") : "none"],
        ["sequence", String(e.lastSeq)],
      ]) + "\n\n" + (ns.length ? table(["namespace", "memories", "vectors"], ns) : "no namespaces yet"),
    );
    return 0;
  },
};
