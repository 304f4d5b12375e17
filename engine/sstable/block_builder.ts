/**
 * Builds one SSTable block (data or index) from internal entries in internal order, with user-key prefix
 * compression and restart points. The byte layout is specified at the top of `sstable_writer.ts`.
 *
 * @module
 */
import type { RecordType } from "../keys.ts";
import { ByteWriter } from "../util/coding.ts";

/**
 * A block under construction.
 *
 * Concurrency: single owner. INVARIANT: entries are added in strictly increasing internal order (the
 * caller checks; the builder does not).
 *
 * @example Build a block and decode it again
 * ```ts
 * import { BlockBuilder } from "./block_builder.ts";
 * import { Block, BlockIter } from "./block_reader.ts";
 * const b = new BlockBuilder(16);
 * const enc = new TextEncoder();
 * b.add(enc.encode("apple"), 2, 1, enc.encode("red"));
 * b.add(enc.encode("apple"), 1, 0, new Uint8Array(0));
 * const bytes = b.finish();
 * if (bytes.length !== 26) throw new Error(`block is ${bytes.length} bytes`);
 * const it = new BlockIter();
 * it.init(new Block(bytes.slice(), { file: "example", offset: 0 }));
 * it.seekToFirst();
 * if (it.seq() !== 2 || new TextDecoder().decode(it.value()) !== "red") throw new Error("bad entry");
 * ```
 */
export class BlockBuilder {
  readonly #restartInterval: number;
  readonly #buf = new ByteWriter(4096);
  #restarts: number[] = [0];
  #counter = 0;
  #entries = 0;
  #lastKey = new Uint8Array(64);
  #lastKeyLen = 0;
  #finished = false;

  /** REQUIRES: `restartInterval` is an integer >= 1. */
  constructor(restartInterval: number) {
    this.#restartInterval = restartInterval;
  }

  /** Whether no entry was added since the last reset. */
  empty(): boolean {
    return this.#entries === 0;
  }

  /** Entries added since the last reset. */
  get entries(): number {
    return this.#entries;
  }

  /** The size the block would have if finished now (without its 5-byte trailer). */
  estimatedSize(): number {
    return this.#buf.length + this.#restarts.length * 4 + 4;
  }

  /**
   * Appends an entry.
   *
   * REQUIRES: `(key, seq)` is after the previous entry in internal order; `finish()` was not called
   * since the last reset.
   */
  add(key: Uint8Array, seq: number, type: RecordType, value: Uint8Array): void {
    let shared = 0;
    if (this.#counter < this.#restartInterval) {
      const last = this.#lastKey;
      const n = Math.min(this.#lastKeyLen, key.length);
      while (shared < n && last[shared] === key[shared]) shared++;
    } else {
      this.#restarts.push(this.#buf.length);
      this.#counter = 0;
    }
    const buf = this.#buf;
    buf.varint(shared);
    buf.varint(key.length - shared);
    buf.varint(value.length);
    buf.bytes(shared === 0 ? key : key.subarray(shared));
    buf.varint(seq);
    buf.u8(type);
    buf.bytes(value);
    if (key.length > this.#lastKey.length) this.#lastKey = new Uint8Array(key.length * 2);
    this.#lastKey.set(key);
    this.#lastKeyLen = key.length;
    this.#counter++;
    this.#entries++;
  }

  /**
   * Appends the restart array and returns the block contents: a view valid until the next `reset()`.
   */
  finish(): Uint8Array {
    if (!this.#finished) {
      for (const r of this.#restarts) this.#buf.u32(r);
      this.#buf.u32(this.#restarts.length);
      this.#finished = true;
    }
    return this.#buf.view();
  }

  /** Starts a new, empty block, keeping the buffer's capacity. */
  reset(): void {
    this.#buf.reset();
    this.#restarts = [0];
    this.#counter = 0;
    this.#entries = 0;
    this.#lastKeyLen = 0;
    this.#finished = false;
  }
}
