/**
 * SSTables: immutable sorted files of internal entries (user key ascending, then seq descending), with
 * prefix-compressed data blocks, a whole-table bloom filter, a properties block and a checksummed
 * footer. {@linkcode SSTableWriter} streams entries into a file; {@linkcode SSTableReader} answers point
 * lookups at a snapshot and iterates; {@linkcode BlockCache} shares decoded blocks between tables.
 *
 * The byte layout is specified at the top of `sstable_writer.ts`; the rationale is in
 * `engine/docs/formats/sstable.md`.
 *
 * @example Write a table, then read it back at a snapshot
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { BlockCache, SSTableReader, SSTableWriter } from "./mod.ts";
 * const fs = new MemFs();
 * const enc = new TextEncoder();
 * const w = new SSTableWriter(fs.openWritable("/000001.sst"), { blockSize: 4096 });
 * w.add(enc.encode("a"), 7, 1, enc.encode("new"));
 * w.add(enc.encode("a"), 3, 1, enc.encode("old"));
 * w.add(enc.encode("b"), 5, 0, new Uint8Array(0));
 * const meta = await w.finish();
 * const r = SSTableReader.open(fs.openRandom("/000001.sst"), { fileNumber: 1, cache: new BlockCache(1 << 20) });
 * const dec = new TextDecoder();
 * if (dec.decode(r.get(enc.encode("a"), 6)?.value) !== "old") throw new Error("wrong snapshot read");
 * if (r.get(enc.encode("b"), 9)?.type !== 0 || meta.entries !== 3) throw new Error("tombstone lost");
 * ```
 *
 * @module
 */
export * from "./sstable_format.ts";
export { BloomFilter } from "./bloom.ts";
export { BlockBuilder } from "./block_builder.ts";
export { Block, BlockIter, type BlockLocation } from "./block_reader.ts";
export { BlockCache } from "./block_cache.ts";
export { SSTableWriter } from "./sstable_writer.ts";
export { SSTableReader } from "./sstable_reader.ts";
