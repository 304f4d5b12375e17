/**
 * `t4dm stats`: memory counts per namespace and the engine's figures, from the local store or from the
 * daemon at `--url` (which shows only the key's namespaces, and engine figures only to admin keys).
 *
 * @module
 */
import type { Command, ServiceStats } from "../command.ts";
import { fields, table } from "../_format.ts";
import { formatBytes } from "../progress.ts";

/** The engine rows, from whichever figures are there (a daemon's are plain JSON of the same shape). */
function engineRows(engine: ServiceStats["engine"], remote: boolean): [string, string][] {
  if (engine === undefined) {
    return [["engine", remote ? "— (figures need an admin key)" : "—"]];
  }
  const rows: [string, string][] = [];
  const e = engine as Record<string, unknown>;
  if (Array.isArray(e.levels)) {
    const levels = (e.levels as { level?: unknown; files?: unknown; bytes?: unknown }[])
      .filter((l) => Number(l.files) > 0)
      .map((l) => `L${l.level} ${l.files} (${formatBytes(Number(l.bytes))})`);
    rows.push(["tables", levels.length ? levels.join(", ") : "none"]);
  }
  if (typeof e.lastSeq === "number") rows.push(["sequence", String(e.lastSeq)]);
  return rows;
}

/** The `stats` command. */
export const stats: Command = {
  name: "stats",
  summary: "show memory counts per namespace and storage figures",
  description: "Through --url the daemon counts only the namespaces the API key may read, and shows\n" +
    "the storage figures to admin keys only.",
  args: [],
  flags: {},
  examples: ["stats", "stats --json", "stats --url http://127.0.0.1:8765"],
  async run(ctx) {
    const s = await (await ctx.memory()).stats();
    if (ctx.global.json) {
      await ctx.out.json(s);
      return 0;
    }
    const remote = ctx.global.url !== undefined;
    const ns = Object.entries(s.namespaces).map(([n, c]) => [n, String(c.memories), String(c.vectors)]);
    await ctx.out.line(
      fields([
        remote ? ["daemon", ctx.global.url!] : ["data dir", ctx.global.dataDir],
        ["embedder", `${s.embedder} on ${s.embedderRuntime}`],
        ...engineRows(s.engine, remote),
      ]) + "\n\n" + (ns.length ? table(["namespace", "memories", "vectors"], ns) : "no namespaces yet"),
    );
    return 0;
  },
};
