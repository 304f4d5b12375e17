/**
 * Crash test of the indexes: SIGKILL a child that writes indexed records, reopen, and check that every
 * acknowledged record is present and that the time, lexical and vector indexes agree exactly with the
 * records (no ghost, no missing entry).
 *
 * @module
 */
import { IndexedStore } from "../../engine/indexes/indexed_store.ts";
import { Keyspace, SPACE } from "../../engine/indexes/keyspace.ts";
import { tokenize } from "../../engine/indexes/tokenizer.ts";
import { mulberry32 } from "../../engine/util/rng.ts";
import { batchDeletes, batchRecords } from "./index_writer_child.ts";

const CHILD = new URL("./index_writer_child.ts", import.meta.url).pathname;

async function runAndKill(dir: string, delayMs: number): Promise<number[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, dir],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const acked: number[] = [];
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m = /^ACK (\d+)$/.exec(line);
      if (m) acked.push(Number(m[1]));
      if (m && killTimer === undefined) killTimer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    }
  }
  clearTimeout(deadline);
  clearTimeout(killTimer);
  const status = await child.status;
  const err = await new Response(child.stderr).text();
  if (status.signal !== "SIGKILL") {
    throw new Error(`child ended by itself (${status.code}): ${err.slice(0, 2000)}`);
  }
  return acked;
}

async function audit(dir: string, acked: Set<number>): Promise<string[]> {
  const bad: string[] = [];
  const store = await IndexedStore.open(dir);
  try {
    const c = await store.collection("c");
    const meta = await store.collection("meta");
    // The child writes batches in order and resumes at `next`, so every batch below `next` was applied
    // in full (acknowledged or not: it may have been killed before printing the ACK), and batch `next`
    // may have been applied in part (its put and its delete are separate atomic writes).
    const next = Number(new TextDecoder().decode(meta.get("next")?.payload ?? new Uint8Array()) || 0);
    const maxAcked = Math.max(-1, ...acked);
    if (next <= maxAcked) bad.push(`store resumes at ${next} but batch ${maxAcked} was acknowledged`);
    const deleted = new Set<string>();
    for (let b = 0; b <= next; b++) for (const id of batchDeletes(b)) deleted.add(id);
    for (const b of acked) {
      for (const r of batchRecords(b)) {
        if (deleted.has(r.id)) continue;
        const got = c.get(r.id);
        if (!got || got.text !== r.text || got.eventTime !== r.eventTime) {
          bad.push(`acknowledged ${r.id} lost`);
        }
      }
    }
    const ks = new Keyspace("c");
    const records = new Map<
      string,
      { text: string; eventTime: number; recordTime: number; vector: Float32Array }
    >();
    for (const [k] of store.engine.iterator({ prefix: ks.space(SPACE.record) })) {
      const id = ks.recordId(k);
      const r = c.get(id)!;
      records.set(id, { text: r.text!, eventTime: r.eventTime, recordTime: r.recordTime, vector: r.vector! });
    }
    const times = new Set<string>();
    for (const [k] of store.engine.iterator({ prefix: ks.space(SPACE.eventTime) })) {
      const t = ks.parseTime(k);
      times.add(`${t.id}@${t.ms}`);
      if (records.get(t.id)?.eventTime !== t.ms) bad.push(`ghost event-time entry ${t.id}@${t.ms}`);
    }
    const postings = new Set<string>();
    for (const [k] of store.engine.iterator({ prefix: ks.space(SPACE.posting) })) {
      const [term, id] = new TextDecoder().decode(k.subarray(ks.prefix.length + 1)).split("\0") as [
        string,
        string,
      ];
      postings.add(`${term}/${id}`);
      if (!records.has(id) || !tokenize(records.get(id)!.text).includes(term)) {
        bad.push(`ghost posting ${term}/${id}`);
      }
    }
    for (const [id, r] of records) {
      if (!times.has(`${id}@${r.eventTime}`)) bad.push(`missing event-time entry of ${id}`);
      for (const t of tokenize(r.text)) {
        if (!postings.has(`${t}/${id}`)) bad.push(`missing posting ${t}/${id}`);
      }
      const top = c.knn(r.vector, 1)[0];
      if (top?.id !== id) bad.push(`knn of ${id}'s own vector returned ${top?.id}`);
    }
    if (c.count !== records.size || c.stats().vectors !== records.size) {
      bad.push(`count ${c.count}, vectors ${c.stats().vectors}, records ${records.size}`);
    }
  } finally {
    await store.close();
  }
  return bad;
}

Deno.test("after SIGKILL at random moments, every acknowledged record is present and every index agrees with the records", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx-index-crash-" });
  const rng = mulberry32(11);
  const acked = new Set<number>();
  try {
    for (let kill = 0; kill < 10; kill++) {
      for (const b of await runAndKill(dir, 50 + Math.floor(rng() * 500))) acked.add(b);
      const bad = await audit(dir, acked);
      if (bad.length) {
        throw new Error(
          `after kill ${kill} (${acked.size} batches acknowledged):\n${bad.slice(0, 20).join("\n")}`,
        );
      }
    }
    if (acked.size < 20) throw new Error(`too few acknowledged batches to mean anything: ${acked.size}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
