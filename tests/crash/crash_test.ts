import { T4DX } from "../../engine/db.ts";
import { WriteBatch } from "../../engine/write_batch.ts";
import { checkStore, runCrashLoop } from "./crash_lib.ts";
import { batchKey, batchSpec, buildBatch } from "./writer_child.ts";

Deno.test("checkStore() blames a half-applied batch, a wrong value and a resurrected key", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_crash_check_" });
  try {
    const db = await T4DX.open(dir);
    for (let b = 0; b < 40; b++) await db.write(buildBatch(b));
    const deleter = [...Array(40).keys()].find((b) => batchSpec(b).deletes.length > 0);
    if (deleter === undefined) throw new Error("no batch below 40 deletes anything; pick another range");
    const victim = batchSpec(deleter).deletes[0]!;
    const damage = new WriteBatch()
      .put(batchKey(victim, 0), batchSpec(victim).puts[0]![1]) // undoes part of the deleter's work
      .put(batchKey(5, 0), "wrong") // a value no batch wrote
      .put(batchKey(40, 0), batchSpec(40).puts[0]![1]); // batch 40 without its meta/next
    await db.write(damage);
    await db.close();
    const got = await checkStore(dir);
    const torn = [...got.torn].sort((a, b) => a - b);
    const want = [5, deleter, 40].sort((a, b) => a - b);
    if (got.next !== 40 || torn.join() !== want.join()) {
      throw new Error(
        `checker missed damage: ${JSON.stringify({ next: got.next, torn, want, got: got.findings })}`,
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a store killed 24 times mid-write keeps every acknowledged batch and never tears one", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_crash_test_" });
  const log: string[] = [];
  const r = await runCrashLoop({
    dir,
    kills: 24,
    seed: 20240601,
    maxDelayMs: 500,
    onProgress: (l) => log.push(l),
  });
  const state = JSON.stringify({ ...r, dir, log }, null, 1);
  if (r.kills < 20 || r.lost !== 0 || r.torn_batches !== 0 || r.failed_opens !== 0 || r.problems.length > 0) {
    throw new Error(`crash loop failed: ${state}`);
  }
  if (r.acknowledged < 100 || r.deepestLevel < 1 || r.compactions === 0) {
    throw new Error(`crash loop did too little to be a test (want >= 100 acks and compactions): ${state}`);
  }
  Deno.removeSync(dir, { recursive: true });
});
