/**
 * Runs one compaction: merges input tables in internal order, drops what no snapshot can see, applies
 * the compaction filter, and writes output tables cut at a target size. The caller installs the
 * result with one version edit, so a crash mid-job leaves only unreferenced output files (removed on
 * the next open) and the inputs still live.
 *
 * @module
 */
import type { Fs } from "../fs/fs.ts";
import { tableFileName } from "../filenames.ts";
import { type InternalIterator, TYPE_DELETE, TYPE_VALUE } from "../keys.ts";
import type { FileMeta } from "../manifest/version_edit.ts";
import { SSTableWriter } from "../sstable/mod.ts";
import { compareBytes } from "../util/coding.ts";
import type { CompactionFilter, EmittedRecord } from "./compaction_filter.ts";

/** What a job needs. */
export interface CompactionJobOptions {
  fs: Fs;
  dir: string;
  /** The merged inputs, newest version of each key first. */
  input: InternalIterator;
  outputLevel: number;
  /** Versions at or below this seq are visible to every reader. */
  smallestSnapshot: number;
  /** True when no level below the output may hold `key`: tombstones for it can go. */
  isBaseLevel: (key: Uint8Array) => boolean;
  newFileNumber: () => number;
  /** Output files are cut (between keys) once they reach this size. */
  targetFileBytes: number;
  writerOptions: { blockSize?: number; bloomBitsPerKey?: number };
  filter?: CompactionFilter | undefined;
  /** Numbers of files being written, protected from obsolete-file deletion. */
  pendingOutputs: Set<number>;
  /** Awaited every few thousand entries so that readers and writers keep running. */
  pause: () => Promise<void>;
}

/** What a job produced. */
export interface CompactionResult {
  outputs: FileMeta[];
  emitted: EmittedRecord[];
  entriesIn: number;
  entriesOut: number;
  bytesWritten: number;
  filtered: { dropped: number; rewritten: number };
}

const EMPTY = new Uint8Array(0);

/**
 * Runs the job. On a throw, every output written so far is removed.
 *
 * INVARIANT: for each user key, the versions written are a prefix-closed subset: a version is dropped
 * only when a newer version of the same key is visible to every snapshot, or it is a tombstone (or a
 * filtered value) with nothing beneath it.
 */
export async function runCompaction(o: CompactionJobOptions): Promise<CompactionResult> {
  const res: CompactionResult = {
    outputs: [],
    emitted: [],
    entriesIn: 0,
    entriesOut: 0,
    bytesWritten: 0,
    filtered: { dropped: 0, rewritten: 0 },
  };
  let writer: SSTableWriter | undefined;
  let number = 0;
  const finish = async () => {
    if (!writer) return;
    const m = await writer.finish();
    writer = undefined;
    res.bytesWritten += m.size;
    res.outputs.push({
      number,
      size: m.size,
      entries: m.entries,
      smallestKey: m.smallestKey,
      smallestSeq: m.smallestSeq,
      largestKey: m.largestKey,
      largestSeq: m.largestSeq,
    });
  };
  try {
    let lastKey: Uint8Array | undefined;
    let lastSeqForKey = Number.MAX_SAFE_INTEGER;
    const it = o.input;
    for (it.seekToFirst(); it.valid(); it.next()) {
      if (++res.entriesIn % 4096 === 0) await o.pause();
      const key = it.key();
      const seq = it.seq();
      let type = it.type();
      let value = it.value();
      const first = lastKey === undefined || compareBytes(key, lastKey) !== 0;
      if (first) {
        lastKey = key.slice();
        lastSeqForKey = Number.MAX_SAFE_INTEGER;
        if (writer && writer.estimatedSize() >= o.targetFileBytes) await finish();
      }
      const shadowed = lastSeqForKey <= o.smallestSnapshot;
      lastSeqForKey = seq;
      if (shadowed) continue;
      if (type === TYPE_VALUE && first && o.filter && seq <= o.smallestSnapshot) {
        const d = o.filter({ key, value, seq, level: o.outputLevel });
        if (d.emit) {
          for (const e of d.emit) res.emitted.push({ key: e.key.slice(), value: e.value?.slice() });
        }
        if (d.action === "drop") {
          res.filtered.dropped++;
          type = TYPE_DELETE;
          value = EMPTY;
        } else if (d.action === "rewrite") {
          res.filtered.rewritten++;
          value = d.value;
        }
      }
      if (type === TYPE_DELETE && seq <= o.smallestSnapshot && o.isBaseLevel(key)) continue;
      if (!writer) {
        number = o.newFileNumber();
        o.pendingOutputs.add(number);
        writer = new SSTableWriter(o.fs.openWritable(tableFileName(o.dir, number)), o.writerOptions);
      }
      writer.add(key, seq, type, value);
      res.entriesOut++;
    }
    await finish();
    await o.fs.syncDir(o.dir);
    return res;
  } catch (e) {
    writer?.abandon();
    for (const f of res.outputs) o.fs.remove(tableFileName(o.dir, f.number));
    if (number) o.fs.remove(tableFileName(o.dir, number));
    throw e;
  }
}
