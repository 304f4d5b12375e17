import { T4DX } from "./db.ts";
import { isIOError } from "./errors.ts";
import { MemFs } from "./fs/mem_fs.ts";
import { mulberry32 } from "./util/rng.ts";
import { WriteBatch } from "./write_batch.ts";

const dec = new TextDecoder();
const small = {
  memtableBytes: 8 << 10,
  l0CompactionTrigger: 2,
  levelBaseBytes: 32 << 10,
  targetFileBytes: 8 << 10,
};

function dump(db: T4DX, options: { snapshot?: ReturnType<T4DX["snapshot"]> } = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of db.iterator(options)) out.set(dec.decode(k), dec.decode(v));
  return out;
}

function diff(want: Map<string, string>, got: Map<string, string>): string {
  const lines: string[] = [];
  for (const [k, v] of want) if (got.get(k) !== v) lines.push(`${k}: want ${v}, got ${got.get(k)}`);
  for (const [k, v] of got) if (!want.has(k)) lines.push(`${k}: want absent, got ${v}`);
  return lines.slice(0, 20).join("\n");
}

Deno.test("T4DX matches an in-memory map over random puts, deletes, batches, snapshots, reopens and compactions", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, async () => {
      const rng = mulberry32(seed);
      const fs = new MemFs();
      let db = await T4DX.open("/db", { fs, ...small });
      const model = new Map<string, string>();
      const totals = { flushes: 0, compactions: 0 };
      const addTotals = () => {
        totals.flushes += db.stats().flushes;
        totals.compactions += db.stats().compactions;
      };
      const snaps: { snap: ReturnType<T4DX["snapshot"]>; model: Map<string, string> }[] = [];
      const key = () => `k${String(Math.floor(rng() * 400)).padStart(4, "0")}`;
      const val = (i: number) => `v${i}-${"x".repeat(Math.floor(rng() * 200))}`;
      for (let i = 0; i < 3000; i++) {
        const r = rng();
        if (r < 0.5) {
          const k = key();
          const v = val(i);
          await db.put(k, v);
          model.set(k, v);
        } else if (r < 0.65) {
          const k = key();
          await db.delete(k);
          model.delete(k);
        } else if (r < 0.8) {
          const b = new WriteBatch();
          for (let j = 0; j < 1 + Math.floor(rng() * 20); j++) {
            const k = key();
            if (rng() < 0.8) {
              const v = val(i * 100 + j);
              b.put(k, v);
              model.set(k, v);
            } else {
              b.delete(k);
              model.delete(k);
            }
          }
          await db.write(b);
        } else if (r < 0.83) {
          snaps.push({ snap: db.snapshot(), model: new Map(model) });
        } else if (r < 0.85 && snaps.length > 0) {
          const s = snaps.splice(Math.floor(rng() * snaps.length), 1)[0]!;
          const d = diff(s.model, dump(db, { snapshot: s.snap }));
          if (d) throw new Error(`snapshot at seq ${s.snap.seq} differs at op ${i}:\n${d}`);
          s.snap.release();
        } else if (r < 0.86) {
          for (const s of snaps) s.snap.release();
          snaps.length = 0;
          addTotals();
          await db.close();
          db = await T4DX.open("/db", { fs, ...small });
        } else if (r < 0.87) {
          await db.compact();
        } else if (r < 0.88) {
          await db.flush();
        } else {
          const k = key();
          const got = db.getString(k);
          if (got !== model.get(k)) throw new Error(`get(${k}) at op ${i}: want ${model.get(k)}, got ${got}`);
        }
      }
      const d = diff(model, dump(db));
      if (d) throw new Error(`final scan differs:\n${d}\nlayout:\n${db.debugLayout()}`);
      for (const s of snaps) {
        const ds = diff(s.model, dump(db, { snapshot: s.snap }));
        if (ds) throw new Error(`snapshot ${s.snap.seq} differs at the end:\n${ds}`);
      }
      addTotals();
      if (totals.flushes === 0 || totals.compactions === 0) {
        throw new Error(`the run never flushed or compacted: ${JSON.stringify(totals)}`);
      }
      await db.close();
    });
  }
});

Deno.test("T4DX.open() refuses a second opener of the same directory in-process", async () => {
  const fs = new MemFs();
  const db = await T4DX.open("/db", { fs });
  let err: unknown;
  try {
    await T4DX.open("/db", { fs });
  } catch (e) {
    err = e;
  }
  await db.close();
  if (!isIOError(err) || !String(err.message).includes("in use")) {
    throw new Error(`expected IOError, got ${err}`);
  }
  (await T4DX.open("/db", { fs })).close();
});

Deno.test("T4DX group-commits concurrent writers and keeps all of them", async () => {
  const fs = new MemFs();
  const db = await T4DX.open("/db", { fs, memtableBytes: 16 << 10 });
  await Promise.all(Array.from({ length: 32 }, async (_, w) => {
    for (let i = 0; i < 50; i++) await db.put(`w${w}/${i}`, `${w}:${i}`);
  }));
  for (let w = 0; w < 32; w++) {
    for (let i = 0; i < 50; i++) {
      if (db.getString(`w${w}/${i}`) !== `${w}:${i}`) throw new Error(`lost w${w}/${i}`);
    }
  }
  await db.close();
  const again = await T4DX.open("/db", { fs });
  const n = [...again.iterator()].length;
  await again.close();
  if (n !== 1600) throw new Error(`expected 1600 keys after reopen, got ${n}`);
});

Deno.test("the compaction filter can keep, drop, rewrite and emit, and dropped keys never resurface", async () => {
  const fs = new MemFs();
  const enc = new TextEncoder();
  const db = await T4DX.open("/db", {
    fs,
    compactionFilter: (e) => {
      const k = dec.decode(e.key);
      if (k.startsWith("drop/")) return { action: "drop" };
      if (k.startsWith("up/")) {
        return { action: "rewrite", value: enc.encode(dec.decode(e.value).toUpperCase()) };
      }
      if (k === "seed") {
        return { action: "keep", emit: [{ key: enc.encode("emitted"), value: enc.encode("yes") }] };
      }
      return { action: "keep" };
    },
  });
  await db.put("drop/a", "old");
  await db.flush();
  await db.compact(); // "drop/a" goes away for good here
  await db.put("drop/b", "1");
  await db.put("up/x", "hello");
  await db.put("keep", "k");
  await db.put("seed", "s");
  await db.compact();
  const got = [...dump(db)].map(([k, v]) => `${k}=${v}`).join(",");
  if (got !== "emitted=yes,keep=k,seed=s,up/x=HELLO") throw new Error(`after compaction: ${got}`);
  const st = db.stats().filter;
  if (st.dropped < 2 || st.rewritten < 1 || st.emitted < 1) {
    throw new Error(`filter stats ${JSON.stringify(st)}`);
  }
  await db.close();
  const again = await T4DX.open("/db", { fs });
  if (again.get("drop/a") !== undefined || again.get("drop/b") !== undefined) {
    throw new Error("a dropped key came back");
  }
  await again.close();
});
