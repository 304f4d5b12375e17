/**
 * Saves and loads the HNSW sidecar: an {@linkcode HnswIndex} persisted next to the store together with
 * the vector change number it covers, so that opening a collection replays only the change log after it.
 *
 * HNSW sidecar format, version 1 (rationale and crash analysis in engine/docs/formats/hnsw_sidecar.md)
 *
 * Two files. `<path>` is the graph, byte for byte what hnswlib's `saveIndex` writes: its layout belongs
 * to hnswlib (a 96-byte header of little-endian size_t fields, then the level-0 array, then per-node
 * upper-layer link lists); we only checksum it whole and check its header against the meta.
 * `<path>.meta` describes it; all integers little-endian:
 *
 *   | offset | field           | size | encoding | notes                                                  |
 *   |--------|-----------------|------|----------|--------------------------------------------------------|
 *   | 0      | magic           | 4    | u32 LE   | 0x4d483454, the bytes "T4HM"                           |
 *   | 4      | version         | 4    | u32 LE   | SidecarFormatVersion, 1                                |
 *   | 8      | metric          | 1    | u8       | 1 cosine, 2 ip                                         |
 *   | 9      | reserved        | 3    | zeros    | must be zero in version 1                              |
 *   | 12     | dim             | 4    | u32 LE   | vector dimension                                       |
 *   | 16     | M               | 4    | u32 LE   | graph out-degree                                       |
 *   | 20     | efConstruction  | 4    | u32 LE   |                                                        |
 *   | 24     | live            | 4    | u32 LE   | live labels in the graph                               |
 *   | 28     | deletedCount D  | 4    | u32 LE   | deleted labels still occupying slots                   |
 *   | 32     | covered         | 8    | u64 LE   | last change number applied (<= 2^53 - 1)               |
 *   | 40     | indexLength     | 8    | u64 LE   | byte length of `<path>`                                |
 *   | 48     | indexCrc        | 4    | u32 LE   | maskCrc(crc32c(all of `<path>`))                       |
 *   | 52     | deleted labels  | 4·D  | u32 LE   | ascending                                              |
 *   | 52+4D  | metaCrc         | 4    | u32 LE   | maskCrc(crc32c(bytes [0, 52+4D) of this file))         |
 *
 * Worked example: 20000 live 512-d cosine vectors, M 16, none deleted. The graph file is 43,931,896
 * bytes: the 96-byte header, 20000 level-0 records of 2188 bytes (2·16 links · 4 + 4 count + 512 · 4
 * floats + 8 label), 20000 u32 upper-list sizes, and 91,800 bytes of upper-layer links (1350 node-levels
 * · 68). The meta is 56 bytes: covered at [32, 40), `indexLength` 43931896 at [40, 48).
 *
 * Both files are written temp-then-rename with fsync of file and directory, the graph first: a meta
 * therefore always names a complete graph, and a crash between the two renames leaves a new graph with
 * an old meta, which the CRC check reports so the coordinator rebuilds. The sidecar touches the real file
 * system through `node:fs`, not the engine's `Fs`, because hnswlib reads and writes files itself.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { CorruptionError, InvalidArgumentError, IOError, NotSupportedError } from "../errors.ts";
import { crc32c, maskCrc, unmaskCrc } from "../util/crc32c.ts";
import { HnswIndex } from "./hnsw_index.ts";
import type { VectorMetric } from "./vector_index.ts";

// ------------------------------------------------------------------------------------------------------
// ON DISK, NEVER CHANGE. A change in layout is a new SidecarFormatVersion, never an edit here.
// ------------------------------------------------------------------------------------------------------

/** ON DISK, NEVER CHANGE: the meta file magic, u32 LE at offset 0; the bytes "T4HM" in file order. */
export const SIDECAR_META_MAGIC = 0x4d483454;
/** ON DISK, NEVER CHANGE: bytes of the meta before the deleted-label list. */
const META_FIXED = 52;
/** ON DISK, NEVER CHANGE: metric codes. 0 and 3 to 255 are unassigned; none retired. */
const METRIC_CODE: Record<VectorMetric, number> = { cosine: 1, ip: 2 };
/** hnswlib's own header: 96 bytes (hnswalg.h `saveIndex`, 64-bit size_t). Not ours to change. */
const HNSW_HEADER = 96;

/**
 * Sidecar format versions: what each added. A loader accepts {@linkcode SIDECAR_OLDEST_READABLE_VERSION}
 * to {@linkcode SIDECAR_FORMAT_VERSION} and reports the rest as a reason to rebuild.
 *
 * @example The current version
 * ```ts
 * import { SIDECAR_FORMAT_VERSION, SidecarFormatVersion } from "./vector_sidecar.ts";
 * if (SIDECAR_FORMAT_VERSION !== SidecarFormatVersion.V1) throw new Error("unexpected version");
 * ```
 */
export enum SidecarFormatVersion {
  /** hnswlib-node 3.0.0 graph file plus a 56 + 4·D byte meta with both CRCs and the deleted labels. */
  V1 = 1,
}
/** The version new sidecars are written with. */
export const SIDECAR_FORMAT_VERSION: SidecarFormatVersion = SidecarFormatVersion.V1;
/** The oldest version a loader still reads. */
export const SIDECAR_OLDEST_READABLE_VERSION: SidecarFormatVersion = SidecarFormatVersion.V1;

/** The decoded meta file. */
export interface SidecarMeta {
  /** Vector dimension. */
  dim: number;
  /** Similarity of the graph. */
  metric: VectorMetric;
  /** Graph out-degree. */
  M: number;
  /** Candidate list size used while inserting. */
  efConstruction: number;
  /** Live labels in the graph. */
  live: number;
  /** Labels in the graph marked deleted, ascending. */
  deleted: Uint32Array;
  /** Last change number applied to the graph. */
  covered: number;
  /** Byte length of the graph file. */
  indexLength: number;
  /** CRC-32C of the graph file, unmasked. */
  indexCrc: number;
}

/**
 * The files of the sidecar at `path`.
 *
 * @example Names
 * ```ts
 * import { sidecarFiles } from "./vector_sidecar.ts";
 * if (sidecarFiles("/db/notes.hnsw").meta !== "/db/notes.hnsw.meta") throw new Error("renamed");
 * ```
 */
export function sidecarFiles(
  path: string,
): { index: string; meta: string; indexTmp: string; metaTmp: string } {
  return { index: path, meta: `${path}.meta`, indexTmp: `${path}.tmp`, metaTmp: `${path}.meta.tmp` };
}

/**
 * Encodes a meta file.
 *
 * @throws {InvalidArgumentError} When `covered` or `indexLength` is not a safe non-negative integer.
 *
 * @example 56 bytes when nothing is deleted
 * ```ts
 * import { decodeSidecarMeta, encodeSidecarMeta } from "./vector_sidecar.ts";
 * const meta = { dim: 4, metric: "ip" as const, M: 16, efConstruction: 200, live: 3,
 *   deleted: new Uint32Array(), covered: 42, indexLength: 1000, indexCrc: 7 };
 * const bytes = encodeSidecarMeta(meta);
 * if (bytes.length !== 56 || decodeSidecarMeta(bytes).covered !== 42) throw new Error("bad round trip");
 * ```
 */
export function encodeSidecarMeta(meta: SidecarMeta): Uint8Array {
  for (const f of ["covered", "indexLength"] as const) {
    if (!Number.isSafeInteger(meta[f]) || meta[f] < 0) {
      throw new InvalidArgumentError(`Cannot encode HNSW sidecar meta: ${f} is ${meta[f]}`);
    }
  }
  const D = meta.deleted.length;
  const out = new Uint8Array(META_FIXED + 4 * D + 4);
  const v = new DataView(out.buffer);
  v.setUint32(0, SIDECAR_META_MAGIC, true);
  v.setUint32(4, SIDECAR_FORMAT_VERSION, true);
  v.setUint8(8, METRIC_CODE[meta.metric]);
  v.setUint32(12, meta.dim, true);
  v.setUint32(16, meta.M, true);
  v.setUint32(20, meta.efConstruction, true);
  v.setUint32(24, meta.live, true);
  v.setUint32(28, D, true);
  v.setBigUint64(32, BigInt(meta.covered), true);
  v.setBigUint64(40, BigInt(meta.indexLength), true);
  v.setUint32(48, maskCrc(meta.indexCrc), true);
  for (let i = 0; i < D; i++) v.setUint32(META_FIXED + 4 * i, meta.deleted[i]!, true);
  v.setUint32(META_FIXED + 4 * D, maskCrc(crc32c(out.subarray(0, META_FIXED + 4 * D))), true);
  return out;
}

/**
 * Decodes a meta file.
 *
 * @throws {CorruptionError} Naming the field: truncated, bad magic, meta crc mismatch, bad metric...
 * @throws {NotSupportedError} For a version outside the readable range.
 *
 * @example A zeroed file has a bad magic
 * ```ts
 * import { decodeSidecarMeta } from "./vector_sidecar.ts";
 * let message = "";
 * try { decodeSidecarMeta(new Uint8Array(56)); } catch (e) { message = (e as Error).message; }
 * if (!message.includes("bad magic")) throw new Error(message);
 * ```
 */
export function decodeSidecarMeta(bytes: Uint8Array): SidecarMeta {
  const fail = (what: string) => new CorruptionError(`Cannot decode HNSW sidecar meta: ${what}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw fail(`truncated: ${bytes.length} bytes`);
  const magic = v.getUint32(0, true);
  if (magic !== SIDECAR_META_MAGIC) throw fail(`bad magic 0x${magic.toString(16).padStart(8, "0")}`);
  const version = v.getUint32(4, true);
  if (version < SIDECAR_OLDEST_READABLE_VERSION || version > SIDECAR_FORMAT_VERSION) {
    throw new NotSupportedError(`Cannot decode HNSW sidecar meta: unsupported version ${version}`);
  }
  if (bytes.length < META_FIXED + 4) throw fail(`truncated: ${bytes.length} bytes`);
  const D = v.getUint32(28, true);
  const end = META_FIXED + 4 * D;
  if (bytes.length < end + 4) {
    throw fail(`truncated: ${bytes.length} bytes, deletedCount ${D} needs ${end + 4}`);
  }
  if (bytes.length > end + 4) {
    throw fail(`length mismatch: ${bytes.length} bytes, deletedCount ${D} needs ${end + 4}`);
  }
  const stored = unmaskCrc(v.getUint32(end, true)), actual = crc32c(bytes.subarray(0, end));
  if (stored !== actual) {
    throw fail(`meta crc mismatch: stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)}`);
  }
  const code = v.getUint8(8);
  const metric = (Object.keys(METRIC_CODE) as VectorMetric[]).find((m) => METRIC_CODE[m] === code);
  if (metric === undefined) throw fail(`bad metric code ${code}`);
  if (v.getUint8(9) | v.getUint8(10) | v.getUint8(11)) throw fail("reserved bytes are not zero");
  const covered = Number(v.getBigUint64(32, true)), indexLength = Number(v.getBigUint64(40, true));
  if (!Number.isSafeInteger(covered)) throw fail(`covered ${v.getBigUint64(32, true)} exceeds 2^53 - 1`);
  if (!Number.isSafeInteger(indexLength)) {
    throw fail(`indexLength ${v.getBigUint64(40, true)} exceeds 2^53 - 1`);
  }
  const deleted = new Uint32Array(D);
  for (let i = 0; i < D; i++) {
    deleted[i] = v.getUint32(META_FIXED + 4 * i, true);
    if (i > 0 && deleted[i]! <= deleted[i - 1]!) throw fail(`deleted labels not ascending at entry ${i}`);
  }
  return {
    dim: v.getUint32(12, true),
    metric,
    M: v.getUint32(16, true),
    efConstruction: v.getUint32(20, true),
    live: v.getUint32(24, true),
    deleted,
    covered,
    indexLength,
    indexCrc: unmaskCrc(v.getUint32(48, true)),
  };
}

/**
 * Checks hnswlib's 96-byte header against the meta: slot count, M, efConstruction and the record size
 * implied by `dim`. Returns a problem, or undefined when it matches.
 */
function checkHnswHeader(h: Uint8Array, meta: SidecarMeta): string | undefined {
  if (h.length < HNSW_HEADER) {
    return `truncated: graph file shorter than hnswlib's ${HNSW_HEADER}-byte header`;
  }
  const v = new DataView(h.buffer, h.byteOffset, HNSW_HEADER);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  const maxM0 = 2 * meta.M, links0 = maxM0 * 4 + 4;
  const expect: [string, number, number][] = [
    ["offsetLevel0", u64(0), 0],
    ["cur_element_count", u64(16), meta.live + meta.deleted.length],
    ["size_data_per_element", u64(24), links0 + 4 * meta.dim + 8],
    ["label_offset", u64(32), links0 + 4 * meta.dim],
    ["offsetData", u64(40), links0],
    ["maxM", u64(56), meta.M],
    ["maxM0", u64(64), maxM0],
    ["M", u64(72), meta.M],
    ["ef_construction", u64(88), meta.efConstruction],
  ];
  for (const [field, got, want] of expect) {
    if (got !== want) return `graph header mismatch: hnswlib ${field} is ${got}, meta implies ${want}`;
  }
  if (u64(8) < u64(16)) return `graph header mismatch: max_elements ${u64(8)} < cur_element_count ${u64(16)}`;
  return undefined;
}

function errno(e: unknown): string | undefined {
  return (e as { code?: unknown })?.code as string | undefined;
}

async function syncPath(path: string): Promise<void> {
  const h = await open(path, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Reads `path` whole in 1 MiB chunks: length, CRC-32C and the first `HNSW_HEADER` bytes. */
function scan(fd: number): { length: number; crc: number; header: Uint8Array } {
  const buf = new Uint8Array(1 << 20);
  const header = new Uint8Array(HNSW_HEADER);
  let length = 0, crc = 0;
  for (let n; (n = readSync(fd, buf, 0, buf.length, length)) > 0; length += n) {
    crc = crc32c(buf.subarray(0, n), crc);
    if (length < HNSW_HEADER) header.set(buf.subarray(0, Math.min(n, HNSW_HEADER - length)), length);
  }
  return { length, crc, header: header.subarray(0, Math.min(length, HNSW_HEADER)) };
}

/**
 * Persists `index` as the sidecar at `path`, covering change number `meta.covered`. The graph is
 * snapshotted synchronously when called; the index may change while the promise is pending.
 *
 * REQUIRES: no other save to the same `path` is in progress.
 *
 * @param index The graph to save.
 * @param path The graph file; the meta goes to `<path>.meta`, temporaries to `<path>.tmp` and
 * `<path>.meta.tmp`.
 * @param meta `covered`: the last change number applied to `index`, a safe non-negative integer.
 * @throws {IOError} When a write, fsync or rename fails, or hnswlib wrote a file that does not check.
 *
 * @example Save, then load
 * ```ts
 * import { HnswIndex } from "./hnsw_index.ts";
 * import { loadSidecar, saveSidecar } from "./vector_sidecar.ts";
 * const index = new HnswIndex({ dim: 2, metric: "cosine" });
 * index.upsert(5, new Float32Array([1, 1]));
 * const dir = Deno.makeTempDirSync();
 * await saveSidecar(index, `${dir}/v.hnsw`, { covered: 9 });
 * const loaded = loadSidecar(`${dir}/v.hnsw`, { dim: 2, metric: "cosine" });
 * Deno.removeSync(dir, { recursive: true });
 * if (!("index" in loaded) || loaded.covered !== 9 || !loaded.index.has(5)) throw new Error("lost");
 * ```
 */
export async function saveSidecar(index: HnswIndex, path: string, meta: { covered: number }): Promise<void> {
  const { covered } = meta;
  if (!Number.isSafeInteger(covered) || covered < 0) {
    throw new InvalidArgumentError(
      `Cannot save HNSW sidecar: covered is ${covered}, must be a safe integer >= 0`,
    );
  }
  const files = sidecarFiles(path), dir = dirname(path);
  let step = `write ${files.indexTmp}`;
  try {
    const info = index.writeIndexFile(files.indexTmp);
    step = `fsync ${files.indexTmp}`;
    await syncPath(files.indexTmp);
    const fd = openSync(files.indexTmp, "r");
    let scanned;
    try {
      scanned = scan(fd);
    } finally {
      closeSync(fd);
    }
    const m: SidecarMeta = {
      dim: index.dim,
      metric: index.metric,
      M: index.M,
      efConstruction: index.efConstruction,
      live: info.live,
      deleted: info.deleted,
      covered,
      indexLength: scanned.length,
      indexCrc: scanned.crc,
    };
    // hnswlib ignores write errors (std::ofstream): a short or alien file must stop here, not at load.
    const problem = checkHnswHeader(scanned.header, m);
    if (problem !== undefined) {
      throw new IOError(`Cannot save HNSW sidecar: hnswlib wrote a bad file: ${problem}`);
    }
    step = `rename ${files.indexTmp}`;
    await rename(files.indexTmp, files.index);
    await syncPath(dir);
    step = `write ${files.metaTmp}`;
    const h = await open(files.metaTmp, "w");
    try {
      await h.writeFile(encodeSidecarMeta(m));
      await h.sync();
    } finally {
      await h.close();
    }
    step = `rename ${files.metaTmp}`;
    await rename(files.metaTmp, files.meta);
    await syncPath(dir);
  } catch (e) {
    if (e instanceof IOError || e instanceof InvalidArgumentError) throw e;
    throw new IOError(`Cannot save HNSW sidecar: ${step} failed: ${(e as Error).message}`, {
      file: path,
      cause: e,
    });
  }
}

/** What {@linkcode loadSidecar} returns: the index, or why there is none. */
export type SidecarLoad = { index: HnswIndex; covered: number } | { reason: string };

/**
 * Loads the sidecar at `path`, or says why it cannot: it never throws for a bad sidecar, so the caller
 * can rebuild from the stored records. A reason starts with what went wrong: `missing`, `unreadable`,
 * `truncated`, `length mismatch`, `bad magic`, `unsupported version`, `meta crc mismatch`,
 * `crc mismatch`, `dim mismatch`, `metric mismatch`, `graph header mismatch`, `unloadable`, after a
 * `Cannot load HNSW sidecar "<file>": ` prefix.
 *
 * Both files are read twice (once here for the CRC, once by hnswlib), the second time from the page
 * cache; nothing reaches hnswlib before its checksum matches, since hnswlib trusts every byte.
 *
 * @param path The graph file given to {@linkcode saveSidecar}.
 * @param expected The collection's dimension and metric, and optionally the search `ef` of the index.
 * @returns The index and the change number it covers, or a reason.
 *
 * @example A missing sidecar is a reason, not an exception
 * ```ts
 * import { loadSidecar } from "./vector_sidecar.ts";
 * const r = loadSidecar("/nonexistent/v.hnsw", { dim: 8, metric: "ip" });
 * if (!("reason" in r) || !r.reason.includes("missing")) throw new Error(JSON.stringify(r));
 * ```
 */
export function loadSidecar(
  path: string,
  expected: { dim: number; metric: VectorMetric; ef?: number },
): SidecarLoad {
  const files = sidecarFiles(path);
  const why = (file: string, what: string): SidecarLoad => ({
    reason: `Cannot load HNSW sidecar ${JSON.stringify(file)}: ${what}`,
  });
  let bytes: Uint8Array, meta: SidecarMeta;
  try {
    bytes = readFileSync(files.meta);
  } catch (e) {
    if (errno(e) === "ENOENT") return why(files.meta, "missing meta file");
    return why(files.meta, `unreadable: ${(e as Error).message}`);
  }
  try {
    meta = decodeSidecarMeta(bytes);
  } catch (e) {
    return why(files.meta, (e as Error).message.replace(/^Cannot decode HNSW sidecar meta: /, ""));
  }
  if (meta.dim !== expected.dim) {
    return why(files.meta, `dim mismatch: sidecar ${meta.dim}, expected ${expected.dim}`);
  }
  if (meta.metric !== expected.metric) {
    return why(files.meta, `metric mismatch: sidecar ${meta.metric}, expected ${expected.metric}`);
  }
  let scanned;
  try {
    const fd = openSync(files.index, "r");
    try {
      const size = fstatSync(fd).size;
      if (size < meta.indexLength) {
        return why(files.index, `truncated: ${size} bytes, meta says ${meta.indexLength}`);
      }
      if (size > meta.indexLength) {
        return why(files.index, `length mismatch: ${size} bytes, meta says ${meta.indexLength}`);
      }
      scanned = scan(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (errno(e) === "ENOENT") return why(files.index, "missing graph file");
    return why(files.index, `unreadable: ${(e as Error).message}`);
  }
  if (scanned.length !== meta.indexLength) {
    return why(files.index, `length mismatch: read ${scanned.length} bytes, meta says ${meta.indexLength}`);
  }
  if (scanned.crc !== meta.indexCrc) {
    const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
    return why(files.index, `crc mismatch: file ${hex(scanned.crc)}, meta says ${hex(meta.indexCrc)}`);
  }
  const problem = checkHnswHeader(scanned.header, meta);
  if (problem !== undefined) return why(files.index, problem);
  let index: HnswIndex;
  try {
    index = HnswIndex.readIndexFile(files.index, {
      dim: meta.dim,
      metric: meta.metric,
      M: meta.M,
      efConstruction: meta.efConstruction,
      ...(expected.ef === undefined ? {} : { ef: expected.ef }),
      deleted: meta.deleted,
    });
  } catch (e) {
    return why(files.index, `unloadable: ${(e as Error).message}`);
  }
  if (index.size !== meta.live) {
    return why(files.index, `unloadable: ${index.size} live labels, meta says ${meta.live}`);
  }
  return { index, covered: meta.covered };
}
