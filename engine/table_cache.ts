/**
 * Open table readers by file number, shared by gets, iterators and compactions.
 *
 * @module
 */
import type { Fs } from "./fs/fs.ts";
import { tableFileName } from "./filenames.ts";
import { type BlockCache, SSTableReader } from "./sstable/mod.ts";

/**
 * Lazily opens and keeps table readers. Opening verifies the footer, index and filter.
 *
 * Concurrency: synchronous; safe from any call.
 */
export class TableCache {
  readonly #fs: Fs;
  readonly #dir: string;
  readonly #blocks: BlockCache | undefined;
  readonly #verify: boolean;
  readonly #open = new Map<number, SSTableReader>();

  constructor(fs: Fs, dir: string, options: { blockCache?: BlockCache; verifyChecksums?: boolean } = {}) {
    this.#fs = fs;
    this.#dir = dir;
    this.#blocks = options.blockCache;
    this.#verify = options.verifyChecksums ?? true;
  }

  /** The reader of table `n`, opened on first use. */
  get(n: number): SSTableReader {
    let r = this.#open.get(n);
    if (!r) {
      const file = this.#fs.openRandom(tableFileName(this.#dir, n));
      try {
        r = SSTableReader.open(file, {
          fileNumber: n,
          verifyChecksums: this.#verify,
          ...(this.#blocks ? { cache: this.#blocks } : {}),
        });
      } catch (e) {
        file.close();
        throw e;
      }
      this.#open.set(n, r);
    }
    return r;
  }

  /** Closes and forgets table `n` (after it was deleted). */
  evict(n: number): void {
    this.#open.get(n)?.close();
    this.#open.delete(n);
    this.#blocks?.eraseFile(n);
  }

  /** Closes every reader. */
  close(): void {
    for (const r of this.#open.values()) r.close();
    this.#open.clear();
  }
}
