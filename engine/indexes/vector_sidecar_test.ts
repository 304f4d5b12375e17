import { isCorruption } from "../errors.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import { mulberry32 } from "../util/rng.ts";
import { HnswIndex } from "./hnsw_index.ts";
import type { VectorHit } from "./vector_index.ts";
import {
  decodeSidecarMeta,
  encodeSidecarMeta,
  loadSidecar,
  saveSidecar,
  sidecarFiles,
  type SidecarLoad,
  type SidecarMeta,
} from "./vector_sidecar.ts";

const DIM = 32;

function vectors(seed: number, n: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => rng() * 2 - 1));
}
/** 2000 cosine vectors, then 300 deleted (half of their slots reused by 150 new labels). */
function buildIndex(): HnswIndex {
  const index = new HnswIndex({ dim: DIM, metric: "cosine", initialCapacity: 256 });
  vectors(1, 2000).forEach((v, i) => index.upsert(i, v));
  for (let i = 0; i < 300; i++) index.remove(i * 5);
  vectors(2, 150).forEach((v, i) => index.upsert(5000 + i, v));
  return index;
}
function render(hits: VectorHit[]): string {
  return hits.map((h) => `${h.label}:${h.score}`).join(" ");
}
function reasonOf(r: SidecarLoad): string {
  if (!("reason" in r)) {
    throw new Error(`loaded a sidecar that should have been refused (covered ${r.covered})`);
  }
  return r.reason;
}
function expectReason(r: SidecarLoad, ...words: string[]): void {
  const reason = reasonOf(r);
  if (!words.every((w) => reason.includes(w))) throw new Error(`reason lacks ${words.join(", ")}: ${reason}`);
}
function flipByte(path: string, offset: number): void {
  const bytes = Deno.readFileSync(path);
  bytes[offset < 0 ? bytes.length + offset : offset]! ^= 0x40;
  Deno.writeFileSync(path, bytes);
}

async function withSaved(fn: (path: string, index: HnswIndex) => void | Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_sidecar_" });
  try {
    const index = buildIndex();
    const path = `${dir}/vectors.hnsw`;
    await saveSidecar(index, path, { covered: 1234 });
    await fn(path, index);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("loadSidecar() after saveSidecar() gives identical labels and search results", async () => {
  await withSaved(async (path, index) => {
    const names = [...Deno.readDirSync(path.replace(/\/[^/]*$/, ""))].map((e) => e.name).sort().join(" ");
    if (names !== "vectors.hnsw vectors.hnsw.meta") throw new Error(`files left: ${names}`);
    const loaded = loadSidecar(path, { dim: DIM, metric: "cosine" });
    if (!("index" in loaded)) throw new Error(loaded.reason);
    const { index: copy, covered } = loaded;
    if (covered !== 1234) throw new Error(`covered ${covered}`);
    if (copy.labels().join() !== index.labels().join() || copy.M !== 16 || copy.efConstruction !== 200) {
      throw new Error(`labels or parameters differ: size ${copy.size} vs ${index.size}`);
    }
    copy.checkInvariants();
    for (const [i, q] of vectors(3, 50).entries()) {
      const filter = (l: number) => l % 4 === 1;
      for (
        const [a, b] of [[index.search(q, 10), copy.search(q, 10)], [
          index.search(q, 10, { filter }),
          copy.search(q, 10, { filter }),
        ]]
      ) {
        if (render(a!) !== render(b!)) {
          throw new Error(`query ${i}\n  saved:  ${render(a!)}\n  loaded: ${render(b!)}`);
        }
      }
    }
    // The loaded index keeps working: a deleted label comes back, deleted slots are reused, and it saves.
    const v = vectors(4, 1)[0]!;
    copy.upsert(5, v);
    copy.upsert(9999, v);
    copy.remove(6);
    copy.checkInvariants();
    if (copy.search(v, 2).map((h) => h.label).sort().join() !== "5,9999") throw new Error("upserts lost");
    await saveSidecar(copy, path, { covered: 1300 });
    const again = loadSidecar(path, { dim: DIM, metric: "cosine" });
    if (!("index" in again) || again.covered !== 1300 || again.index.has(6) || !again.index.has(9999)) {
      throw new Error(`second round trip: ${JSON.stringify("reason" in again ? again : again.covered)}`);
    }
  });
});

Deno.test("loadSidecar() reports a missing sidecar, meta or graph file", async (t) => {
  await withSaved(async (path) => {
    await t.step(
      "no files at all",
      () => expectReason(loadSidecar(`${path}.nope`, { dim: DIM, metric: "cosine" }), "missing"),
    );
    await t.step("graph without meta", () => {
      Deno.removeSync(sidecarFiles(path).meta);
      expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "missing meta file");
    });
  });
  await withSaved((path) => {
    Deno.removeSync(path);
    expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "missing graph file");
  });
});

Deno.test("loadSidecar() reports a flipped byte in the graph as a crc mismatch", async () => {
  for (const offset of [0, 100, 50_000, -1]) {
    await withSaved((path) => {
      flipByte(path, offset);
      expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "crc mismatch");
    });
  }
});

Deno.test("loadSidecar() reports a damaged meta by the field that failed", async (t) => {
  const cases: [string, number, string][] = [
    ["magic", 0, "bad magic"],
    ["version", 4, "unsupported version"],
    ["covered", 33, "meta crc mismatch"],
    ["last deleted label", -5, "meta crc mismatch"],
    ["meta crc", -1, "meta crc mismatch"],
  ];
  for (const [field, offset, words] of cases) {
    await t.step(field, () =>
      withSaved((path) => {
        flipByte(sidecarFiles(path).meta, offset);
        expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), words);
      }));
  }
});

Deno.test("loadSidecar() reports a truncated graph or meta", async () => {
  await withSaved((path) => {
    Deno.truncateSync(path, Deno.statSync(path).size - 1);
    expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "truncated");
  });
  await withSaved((path) => {
    Deno.truncateSync(path, 0);
    expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "truncated");
  });
  for (const size of [3, 40, 60]) {
    await withSaved((path) => {
      Deno.truncateSync(sidecarFiles(path).meta, size);
      expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "truncated");
    });
  }
  await withSaved((path) => {
    const f = Deno.openSync(path, { append: true });
    f.writeSync(new Uint8Array(7));
    f.close();
    expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "length mismatch");
  });
});

Deno.test("loadSidecar() reports a dim or metric other than the collection's", async () => {
  await withSaved((path) => {
    expectReason(loadSidecar(path, { dim: 64, metric: "cosine" }), "dim mismatch", "32", "64");
    expectReason(loadSidecar(path, { dim: DIM, metric: "ip" }), "metric mismatch", "cosine", "ip");
  });
});

Deno.test("loadSidecar() reports a graph from another save as a crc mismatch", async () => {
  await withSaved(async (path, index) => {
    const metaBefore = Deno.readFileSync(sidecarFiles(path).meta);
    index.upsert(77_777, vectors(9, 1)[0]!);
    await saveSidecar(index, path, { covered: 1235 });
    // A crash between the two renames: new graph, old meta.
    Deno.writeFileSync(sidecarFiles(path).meta, metaBefore);
    expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "crc mismatch");
  });
});

Deno.test("loadSidecar() checks hnswlib's header against the meta even when the CRCs match", async () => {
  await withSaved((path) => {
    // A well-formed meta claiming M 8 for a graph built with M 16, as an alien hnswlib file would.
    const meta = decodeSidecarMeta(Deno.readFileSync(sidecarFiles(path).meta));
    Deno.writeFileSync(sidecarFiles(path).meta, encodeSidecarMeta({ ...meta, M: 8 }));
    expectReason(loadSidecar(path, { dim: DIM, metric: "cosine" }), "graph header mismatch", "meta implies");
  });
});

Deno.test("saveSidecar() ignores and replaces temporaries left by an interrupted save", async () => {
  await withSaved(async (path, index) => {
    const files = sidecarFiles(path);
    Deno.writeFileSync(files.indexTmp, new Uint8Array(10));
    Deno.writeFileSync(files.metaTmp, new Uint8Array(10));
    const r = loadSidecar(path, { dim: DIM, metric: "cosine" });
    if (!("index" in r)) throw new Error(r.reason);
    await saveSidecar(index, path, { covered: 2000 });
    const r2 = loadSidecar(path, { dim: DIM, metric: "cosine" });
    if (!("index" in r2) || r2.covered !== 2000) throw new Error(JSON.stringify(r2));
  });
});

Deno.test("decodeSidecarMeta() reads the documented layout", () => {
  const body = [
    "54 34 48 4d", // magic "T4HM"
    "01 00 00 00", // version 1
    "01 00 00 00", // metric cosine, 3 reserved zero bytes
    "04 00 00 00", // dim 4
    "10 00 00 00", // M 16
    "c8 00 00 00", // efConstruction 200
    "03 00 00 00", // live 3
    "02 00 00 00", // deletedCount 2
    "2a 00 00 00 00 00 00 00", // covered 42
    "d2 04 00 00 00 00 00 00", // indexLength 1234
    "__ __ __ __", // indexCrc: maskCrc(0xdeadbeef), filled below
    "07 00 00 00", // deleted label 7
    "09 00 00 00", // deleted label 9
  ].join(" ");
  const bytes = new Uint8Array(
    body.split(" ").map((h) => (h === "__" ? 0 : parseInt(h, 16))).concat([0, 0, 0, 0]),
  );
  const v = new DataView(bytes.buffer);
  v.setUint32(48, maskCrc(0xdeadbeef), true);
  v.setUint32(bytes.length - 4, maskCrc(crc32c(bytes.subarray(0, bytes.length - 4))), true); // metaCrc
  const meta = decodeSidecarMeta(bytes);
  const expected: SidecarMeta = {
    dim: 4,
    metric: "cosine",
    M: 16,
    efConstruction: 200,
    live: 3,
    deleted: new Uint32Array([7, 9]),
    covered: 42,
    indexLength: 1234,
    indexCrc: 0xdeadbeef,
  };
  const show = (m: SidecarMeta) => JSON.stringify({ ...m, deleted: [...m.deleted] });
  if (show(meta) !== show(expected)) throw new Error(`decoded ${show(meta)}\nexpected ${show(expected)}`);
  if (encodeSidecarMeta(meta).join() !== bytes.join()) throw new Error("re-encoding changed the bytes");
  bytes[9] = 1;
  v.setUint32(bytes.length - 4, maskCrc(crc32c(bytes.subarray(0, bytes.length - 4))), true);
  let caught: unknown;
  try {
    decodeSidecarMeta(bytes);
  } catch (e) {
    caught = e;
  }
  if (!isCorruption(caught) || !(caught as Error).message.includes("reserved")) {
    throw new Error(`got ${caught}`);
  }
});
