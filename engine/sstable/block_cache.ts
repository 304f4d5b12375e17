/**
 * A least-recently-used cache of decoded data blocks shared by all open tables, keyed by (file number,
 * block offset) and bounded by bytes.
 *
 * @module
 */
import type { Block } from "./block_reader.ts";

/** Bytes charged per entry on top of the block contents (node, maps, Block object). */
const ENTRY_OVERHEAD = 128;

class Entry {
  fileNumber: number;
  offset: number;
  block: Block | undefined;
  charge: number;
  prev: Entry = this;
  next: Entry = this;
  constructor(fileNumber: number, offset: number, block: Block | undefined, charge: number) {
    this.fileNumber = fileNumber;
    this.offset = offset;
    this.block = block;
    this.charge = charge;
  }
}

/**
 * LRU block cache. Lookups do two map probes and no allocation.
 *
 * Concurrency: synchronous methods only; any interleaving of async callers is safe.
 * INVARIANT: `usage <= capacity` after every call.
 *
 * @example The least recently used block is evicted first
 * ```ts
 * import { BlockCache } from "./block_cache.ts";
 * import { Block } from "./block_reader.ts";
 * function block(size: number): Block {
 *   const data = new Uint8Array(size);
 *   data[size - 4] = 1; // one restart point, at 0
 *   return new Block(data, { file: "t.sst", offset: 0 });
 * }
 * const cache = new BlockCache(1000);
 * cache.insert(1, 0, block(300));
 * cache.insert(1, 300, block(300));
 * cache.get(1, 0);
 * cache.insert(2, 0, block(300));
 * if (cache.get(1, 300) !== undefined || cache.get(1, 0) === undefined) throw new Error("wrong victim");
 * if (cache.usage > cache.capacity) throw new Error("over capacity");
 * ```
 */
export class BlockCache {
  readonly #capacity: number;
  #usage = 0;
  #count = 0;
  #files = new Map<number, Map<number, Entry>>();
  /** Sentinel of the circular recency list: `head.next` is the most recently used. */
  readonly #head = new Entry(-1, -1, undefined, 0);
  #hits = 0;
  #misses = 0;

  /**
   * @param capacity Byte budget; blocks are charged their size plus a fixed overhead.
   * @throws {RangeError} When `capacity` is negative or not a number.
   */
  constructor(capacity: number) {
    if (!(capacity >= 0)) throw new RangeError(`Cannot create block cache: capacity ${capacity} is negative`);
    this.#capacity = capacity;
  }

  /** The byte budget. */
  get capacity(): number {
    return this.#capacity;
  }
  /** Bytes charged by cached blocks. */
  get usage(): number {
    return this.#usage;
  }
  /** Number of cached blocks. */
  get length(): number {
    return this.#count;
  }
  /** Lookups that found a block. */
  get hits(): number {
    return this.#hits;
  }
  /** Lookups that found nothing. */
  get misses(): number {
    return this.#misses;
  }

  /** The cached block at `offset` of table `fileNumber`, marked most recently used. */
  get(fileNumber: number, offset: number): Block | undefined {
    const e = this.#files.get(fileNumber)?.get(offset);
    if (e === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#unlink(e);
    this.#pushFront(e);
    return e.block;
  }

  /** Caches `block` as the block at `offset` of table `fileNumber`, evicting as needed. */
  insert(fileNumber: number, offset: number, block: Block): void {
    const charge = block.data.byteLength + ENTRY_OVERHEAD;
    let m = this.#files.get(fileNumber);
    const old = m?.get(offset);
    if (old !== undefined) this.#remove(old);
    if (charge > this.#capacity) return;
    if (m === undefined) {
      m = new Map();
      this.#files.set(fileNumber, m);
    }
    const e = new Entry(fileNumber, offset, block, charge);
    m.set(offset, e);
    this.#pushFront(e);
    this.#usage += charge;
    this.#count++;
    while (this.#usage > this.#capacity) this.#remove(this.#head.prev);
  }

  /** Drops every block of table `fileNumber` (call when the table is deleted). */
  eraseFile(fileNumber: number): void {
    const m = this.#files.get(fileNumber);
    if (m === undefined) return;
    for (const e of [...m.values()]) this.#remove(e);
  }

  /** Drops every block. */
  clear(): void {
    this.#files.clear();
    this.#head.next = this.#head.prev = this.#head;
    this.#usage = 0;
    this.#count = 0;
  }

  #remove(e: Entry): void {
    this.#unlink(e);
    const m = this.#files.get(e.fileNumber);
    m?.delete(e.offset);
    if (m !== undefined && m.size === 0) this.#files.delete(e.fileNumber);
    this.#usage -= e.charge;
    this.#count--;
    e.block = undefined;
  }
  #unlink(e: Entry): void {
    e.prev.next = e.next;
    e.next.prev = e.prev;
  }
  #pushFront(e: Entry): void {
    const h = this.#head;
    e.next = h.next;
    e.prev = h;
    h.next.prev = e;
    h.next = e;
  }
}
