/**
 * The crash loop shared by `crash_test.ts` and `soak.ts`: run `writer_child.ts` on a real directory,
 * SIGKILL it at a seeded random moment after its first acknowledgement, reopen the store in this process
 * and compare it with the model rebuilt from `meta/next` (see writer_child.ts). Successive kills extend
 * the same directory, so later kills land on a store with many tables and a deep level layout.
 *
 * What a check enforces after each kill:
 * - the store opens (else `failed_opens`);
 * - it holds exactly the effects of batches `0 .. next-1`, where `next` is its `meta/next`: every put of
 *   those batches that none of them deleted, with the exact value, and nothing else under `k/` (read
 *   both by one full scan and by a point read of every expected key);
 * - every acknowledged batch is below `next` and intact (else it counts in `lost`);
 * - a discrepancy is blamed on the batch that is half applied: a missing or wrong value on its own
 *   batch (or on a later, unapplied batch that deletes it), an extra key on the batch that should have
 *   deleted it, or on its own batch if that batch is at or above `next` (its puts are there but not its
 *   `meta/next`). Each blamed batch counts once in `torn_batches`.
 *
 * @module
 */
import { T4DX } from "../../engine/db.ts";
import { mulberry32 } from "../../engine/util/rng.ts";
import { batchKey, batchSpec, NEXT_KEY, parseBatchKey, putCount } from "./writer_child.ts";

/** Totals of a crash loop; the first five fields are what `soak.ts --json` prints. */
export interface CrashReport {
  /** Children killed with SIGKILL. */
  kills: number;
  /** Batches the children acknowledged, over all runs. */
  acknowledged: number;
  /** Acknowledged batches missing or damaged after a kill. */
  lost: number;
  /** Batches found partly applied. */
  torn_batches: number;
  /** Reopens (in this process or in a child) that threw. */
  failed_opens: number;
  /** Human-readable findings behind any non-zero count, and child failures; at most 50. */
  problems: string[];
  /** `meta/next` after the last check: batches in the store. */
  batches: number;
  /** Deepest level holding a table after the last check (shows that compactions ran). */
  deepestLevel: number;
  /** Kills that landed while the child had a flush pending (as of its last ACK). */
  killsDuringFlush: number;
  /** Compactions the children finished, over all runs. */
  compactions: number;
}

/** Options of {@linkcode runCrashLoop}. */
export interface CrashLoopOptions {
  /** Store directory; created if absent and extended if it already holds a store. */
  dir: string;
  /** Number of kills. */
  kills: number;
  /** Seed of the kill delays and of the children's seeds. @default 1 */
  seed?: number;
  /** Shortest delay from the first ACK to the kill. @default 50 */
  minDelayMs?: number;
  /** Longest delay from the first ACK to the kill. @default 600 */
  maxDelayMs?: number;
  /** Told one line per kill. @default none */
  onProgress?: (line: string) => void;
}

/** What one child run produced. */
export interface ChildRun {
  /** Batch numbers acknowledged with `ACK`. */
  acked: number[];
  /** `meta/next` the child found on open, or -1 if it never opened. */
  openedAt: number;
  /** The `OPEN_FAILED` or `WRITE_FAILED` line, or the exit status of a child that ended by itself. */
  failure: string | undefined;
  /** Whether the child was killed by us (as opposed to exiting). */
  killed: boolean;
  /** Whether a flush was pending at the last ACK. */
  flushPending: boolean;
  /** Compactions finished by the child as of its last ACK. */
  compactions: number;
}

const CHILD = new URL("./writer_child.ts", import.meta.url).pathname;
/** A child that prints nothing for this long is killed and reported. */
const STALL_MS = 30_000;

/**
 * Runs the writer once and SIGKILLs it `delayMs` after its first ACK.
 *
 * @param dir The store directory.
 * @param options The child's seed and the kill delay.
 * @returns Its acknowledgements and how it ended.
 */
export async function runChild(dir: string, options: { seed: number; delayMs: number }): Promise<ChildRun> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, dir, String(options.seed)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(proc.stderr).text();
  const run: ChildRun = {
    acked: [],
    openedAt: -1,
    failure: undefined,
    killed: false,
    flushPending: false,
    compactions: 0,
  };
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const kill = () => {
    if (run.killed) return;
    run.killed = true;
    try {
      proc.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  let stall = setTimeout(() => {
    run.failure = `child stalled for ${STALL_MS} ms`;
    kill();
  }, STALL_MS);
  const dec = new TextDecoder();
  let buf = "";
  const onLine = (line: string) => {
    if (line.startsWith("ACK ")) {
      const [, b, imm, compactions] = line.split(" ");
      run.acked.push(Number(b));
      if (!run.killed) {
        run.flushPending = imm === "1";
        run.compactions = Number(compactions);
      }
      if (killTimer === undefined) killTimer = setTimeout(kill, options.delayMs);
    } else if (line.startsWith("OPEN ")) run.openedAt = Number(line.slice(5));
    else if (line.startsWith("OPEN_FAILED") || line.startsWith("WRITE_FAILED")) run.failure = line;
  };
  for await (const chunk of proc.stdout) {
    clearTimeout(stall);
    stall = setTimeout(() => {
      run.failure = `child stalled for ${STALL_MS} ms`;
      kill();
    }, STALL_MS);
    buf += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  // A partial last line was cut by the kill: its write may or may not have resolved; it is not an ACK.
  clearTimeout(stall);
  clearTimeout(killTimer);
  const status = await proc.status;
  const err = await stderr;
  if (!run.killed && run.failure === undefined) {
    run.failure = `child exited by itself with code ${status.code}: ${err.slice(-2000)}`;
  } else if (run.failure !== undefined && err.length > 0) run.failure += ` | stderr: ${err.slice(-2000)}`;
  return run;
}

/** What {@linkcode checkStore} found. */
export interface StoreCheck {
  /** `meta/next`: batches `0 .. next-1` are applied. */
  next: number;
  /** Batches blamed for a discrepancy. */
  torn: Set<number>;
  /** Descriptions of the discrepancies (at most 20). */
  findings: string[];
  /** Deepest level holding a table. */
  deepestLevel: number;
}

/**
 * Opens the store and compares it with the model of batches `0 .. meta/next - 1`.
 *
 * @param dir The store directory.
 * @returns What matched and what did not.
 * @throws Whatever `T4DX.open` or a read throws (the caller counts it as a failed open).
 */
export async function checkStore(dir: string): Promise<StoreCheck> {
  const db = await T4DX.open(dir);
  try {
    const next = Number(db.getString(NEXT_KEY) ?? "0");
    const model = new Map<string, string>();
    const deleter = new Map<number, number[]>(); // deleted batch -> batches deleting it
    let maxSeen = next;
    const torn = new Set<number>();
    const findings: string[] = [];
    const blame = (b: number, what: string) => {
      torn.add(b);
      if (findings.length < 20) findings.push(`batch ${b}: ${what}`);
    };
    const seen = new Map<string, string>();
    for (const [k, v] of db.iterator({ prefix: "k/" })) {
      const key = new TextDecoder().decode(k);
      seen.set(key, new TextDecoder().decode(v));
      const p = parseBatchKey(key);
      if (!p) findings.push(`unexpected key ${JSON.stringify(key)}`);
      else maxSeen = Math.max(maxSeen, p.b + 1);
    }
    for (let b = 0; b < maxSeen + 1; b++) {
      const spec = batchSpec(b);
      for (const d of spec.deletes) deleter.set(d, [...(deleter.get(d) ?? []), b]);
      if (b >= next) continue;
      for (const [k, v] of spec.puts) model.set(k, v);
      for (const d of spec.deletes) for (let i = 0; i < putCount(d); i++) model.delete(batchKey(d, i));
    }
    for (const [k, want] of model) {
      const got = seen.get(k);
      const point = db.getString(k);
      if (got === want && point === want) continue;
      const { b } = parseBatchKey(k)!;
      const by = (deleter.get(b) ?? []).find((e) => e >= next);
      const what = got === undefined ? "missing" : got !== want ? "wrong value" : "wrong point read";
      blame(by ?? b, `${k} ${what}${by === undefined ? "" : ` (deleted by unapplied batch ${by})`}`);
    }
    for (const k of seen.keys()) {
      if (model.has(k)) continue;
      const p = parseBatchKey(k);
      if (!p) continue;
      if (p.b >= next) blame(p.b, `${k} present but meta/next is ${next}`);
      else {
        const by = (deleter.get(p.b) ?? []).filter((e) => e < next);
        blame(by[0] ?? p.b, `${k} present but deleted by batch ${by.join("/")}`);
      }
    }
    const levels = db.stats().levels;
    let deepestLevel = -1;
    for (const l of levels) if (l.files > 0) deepestLevel = l.level;
    return { next, torn, findings, deepestLevel };
  } finally {
    await db.close();
  }
}

/**
 * Kills the writer `kills` times against one directory, checking the store after each kill.
 *
 * @param options The directory, the number of kills, the seed and the delay range.
 * @returns The totals.
 */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashReport> {
  const rng = mulberry32(options.seed ?? 1);
  const minDelay = options.minDelayMs ?? 50;
  const maxDelay = options.maxDelayMs ?? 600;
  const report: CrashReport = {
    kills: 0,
    acknowledged: 0,
    lost: 0,
    torn_batches: 0,
    failed_opens: 0,
    problems: [],
    batches: 0,
    deepestLevel: -1,
    killsDuringFlush: 0,
    compactions: 0,
  };
  const problem = (s: string) => {
    if (report.problems.length < 50) report.problems.push(s);
  };
  const acked = new Set<number>();
  const lost = new Set<number>();
  const torn = new Set<number>();
  for (let k = 0; k < options.kills; k++) {
    const delayMs = minDelay + Math.floor(rng() * (maxDelay - minDelay + 1));
    const childSeed = Math.floor(rng() * 2 ** 31);
    const run = await runChild(options.dir, { seed: childSeed, delayMs });
    if (run.killed) report.kills++;
    if (run.killed && run.flushPending) report.killsDuringFlush++;
    report.compactions += run.compactions;
    for (const b of run.acked) acked.add(b);
    report.acknowledged += run.acked.length;
    if (run.failure !== undefined) {
      if (run.failure.startsWith("OPEN_FAILED")) report.failed_opens++;
      problem(`run ${k} (seed ${childSeed}): ${run.failure}`);
    }
    let check: StoreCheck;
    try {
      check = await checkStore(options.dir);
    } catch (e) {
      report.failed_opens++;
      problem(`run ${k}: reopen failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      break;
    }
    for (const b of check.torn) torn.add(b);
    for (const b of acked) if (b >= check.next || check.torn.has(b)) lost.add(b);
    for (const f of check.findings) problem(`run ${k}: ${f}`);
    report.batches = check.next;
    report.deepestLevel = check.deepestLevel;
    options.onProgress?.(
      `kill ${k + 1}/${options.kills}: delay ${delayMs} ms, acked ${run.acked.length} ` +
        `${run.flushPending ? "(flush pending) " : ""}${run.compactions} compactions ` +
        `(from ${run.openedAt}), store next ${check.next}, deepest level ${check.deepestLevel}, ` +
        `lost ${lost.size}, torn ${torn.size}`,
    );
  }
  report.lost = lost.size;
  report.torn_batches = torn.size;
  return report;
}
