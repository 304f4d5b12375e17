/**
 * The `t4dm` command line. For now it runs a demonstration of the storage engine; the memory
 * commands and the daemon come with the memory-core and surfaces issues.
 *
 * @module
 */
import { T4DX, WriteBatch } from "./engine/mod.ts";

const HELP = `t4dm — temporal memory for AI agents (engine preview)

Usage:
  t4dm demo [--data-dir DIR] [--keys N]   write N keys through T4DX, read them back, print stats
  t4dm --help                             this text
`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function demo(args: string[]): Promise<number> {
  const dir = flag(args, "--data-dir") ?? ".t4dm/demo";
  const n = Number(flag(args, "--keys") ?? 100_000);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(
      `t4dm demo: --keys must be a positive integer, got ${JSON.stringify(flag(args, "--keys"))}`,
    );
    return 2;
  }
  const db = await T4DX.open(dir);
  const value = "x".repeat(100);
  let t = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const b = new WriteBatch();
    for (let j = i; j < Math.min(n, i + 1000); j++) b.put(`demo:${String(j).padStart(9, "0")}`, value);
    await db.write(b);
  }
  const writeMs = performance.now() - t;
  t = performance.now();
  let found = 0;
  for (let i = 0; i < n; i++) if (db.get(`demo:${String(i).padStart(9, "0")}`)) found++;
  const readMs = performance.now() - t;
  console.log(
    `wrote ${n} keys in ${writeMs.toFixed(0)} ms (${(n / writeMs * 1000).toFixed(0)}/s, batches of 1000)`,
  );
  console.log(`read ${found}/${n} keys in ${readMs.toFixed(0)} ms (${(n / readMs * 1000).toFixed(0)}/s)`);
  console.log(JSON.stringify(db.stats(), null, 2));
  await db.close();
  return found === n ? 0 : 1;
}

if (import.meta.main) {
  const [cmd, ...rest] = Deno.args;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(HELP);
    Deno.exit(0);
  }
  if (cmd === "demo") Deno.exit(await demo(rest));
  console.error(`t4dm: unknown command ${JSON.stringify(cmd)}\n\n${HELP}`);
  Deno.exit(2);
}
