/**
 * `t4dm import <file.jsonl | ->`: stores memories from JSON lines, with a progress report on stderr.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { mapError, MemoryError } from "../../memory/errors.ts";
import { defined } from "../_convert.ts";
import { readLines } from "../_lines.ts";
import { Progress, type ProgressOptions } from "../progress.ts";

const SHOW_FAILURES = 20;

async function openInput(path: string): Promise<{ stream: ReadableStream<Uint8Array>; size?: number }> {
  if (path === "-") return { stream: Deno.stdin.readable };
  try {
    const f = await Deno.open(path, { read: true });
    const { size, isFile } = await f.stat();
    return isFile ? { stream: f.readable, size } : { stream: f.readable };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new MemoryError("NOT_FOUND", `Cannot import ${JSON.stringify(path)}: no such file`);
    }
    throw e;
  }
}

/** The `import` command. */
export const importCommand: Command = {
  name: "import",
  summary: "store memories from a JSON-lines file (as written by export)",
  description: 'Reads one memory a line: export output, or store inputs such as {"content": "..."}.\n' +
    "Lines keep their own namespace unless --namespace is given. A bad line is reported on stderr\n" +
    "and skipped; the others are stored, and the exit code is then 2. Use - to read stdin.\n" +
    "Through --url the lines are streamed to the daemon, which stores them all in the request's\n" +
    'namespace (--namespace, else the API key\'s first one, else "default").',
  args: [{ name: "file", help: "a .jsonl file, or - for stdin" }],
  flags: {},
  examples: ["import memories.jsonl", "import - --namespace team < memories.jsonl"],
  async run(ctx) {
    const path = ctx.args.positionals[0]!;
    const input = await openInput(path);
    const mem = await ctx.memory();
    const po: ProgressOptions = { label: "t4dm import", tty: ctx.err.isTerminal };
    if (input.size !== undefined) po.totalBytes = input.size;
    const progress = new Progress(po);
    let res;
    try {
      res = await mem.import(
        readLines(input.stream, (lines, bytes) => progress.update(lines, bytes)),
        defined({ namespace: ctx.global.namespace }),
      );
    } finally {
      progress.finish();
    }
    for (const f of res.failed.slice(0, SHOW_FAILURES)) {
      await ctx.err.line(`t4dm import: line ${f.line}: ${f.error}`);
    }
    const failedCount = res.failedCount ?? res.failed.length; // a daemon lists only the first failures
    const shown = Math.min(res.failed.length, SHOW_FAILURES);
    if (failedCount > shown) {
      await ctx.err.line(`t4dm import: … and ${failedCount - shown} more failed lines`);
    }
    if (ctx.global.json) await ctx.out.json(res);
    else {
      const failed = failedCount ? `; ${failedCount} lines failed` : "";
      await ctx.out.line(`imported ${res.imported} memories from ${path === "-" ? "stdin" : path}${failed}`);
    }
    return failedCount ? mapError(new MemoryError("VALIDATION", "bad lines")).exitCode : 0;
  },
};
