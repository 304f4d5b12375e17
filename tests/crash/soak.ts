/**
 * Crash soak: `deno task soak:crash -- --kills N [--seed S] [--dir D] [--json]`. Kills the writer N
 * times against one store (a fresh temporary directory unless `--dir` is given) and checks it after
 * each kill (see crash_lib.ts). Progress goes to stderr; with `--json` stdout carries exactly one line,
 * `{"kills":…,"acknowledged":…,"lost":…,"torn_batches":…,"failed_opens":…}`. Exits 1 if anything was
 * lost or torn, a reopen failed or a child failed, 2 on bad arguments.
 *
 * @module
 */
import { runCrashLoop } from "./crash_lib.ts";

function parseArgs(args: string[]): { kills: number; seed: number; dir: string | undefined; json: boolean } {
  const out = { kills: 30, seed: 1, dir: undefined as string | undefined, json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new SyntaxError(`Cannot parse arguments: ${a} needs a value`);
      return v;
    };
    if (a === "--json") out.json = true;
    else if (a === "--kills") out.kills = Number(value());
    else if (a === "--seed") out.seed = Number(value());
    else if (a === "--dir") out.dir = value();
    else if (a === "--") continue;
    else throw new SyntaxError(`Cannot parse arguments: unknown option "${a}"`);
  }
  if (!Number.isInteger(out.kills) || out.kills < 1) {
    throw new RangeError(`Cannot run soak: --kills must be a positive integer, got "${out.kills}"`);
  }
  if (!Number.isInteger(out.seed)) {
    throw new RangeError(`Cannot run soak: --seed must be an integer, got "${out.seed}"`);
  }
  return out;
}

if (import.meta.main) {
  let args;
  try {
    args = parseArgs(Deno.args);
  } catch (e) {
    console.error(String(e));
    console.error("usage: soak.ts --kills N [--seed S] [--dir D] [--json]");
    Deno.exit(2);
  }
  const dir = args.dir ?? Deno.makeTempDirSync({ prefix: "t4dx_crash_soak_" });
  console.error(`crash soak: ${args.kills} kills, seed ${args.seed}, store ${dir}`);
  const started = performance.now();
  const r = await runCrashLoop({
    dir,
    kills: args.kills,
    seed: args.seed,
    onProgress: (l) => console.error(l),
  });
  for (const p of r.problems) console.error(`problem: ${p}`);
  console.error(
    `done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${r.batches} batches in the store, ` +
      `deepest level ${r.deepestLevel}, ${r.compactions} compactions, ${r.killsDuringFlush} kills with a flush pending`,
  );
  const summary = {
    kills: r.kills,
    acknowledged: r.acknowledged,
    lost: r.lost,
    torn_batches: r.torn_batches,
    failed_opens: r.failed_opens,
  };
  console.log(args.json ? JSON.stringify(summary) : summary);
  const bad = r.lost > 0 || r.torn_batches > 0 || r.failed_opens > 0 || r.problems.length > 0;
  if (!bad && args.dir === undefined) Deno.removeSync(dir, { recursive: true });
  else if (bad) console.error(`store kept for inspection: ${dir}`);
  Deno.exit(bad ? 1 : 0);
}
