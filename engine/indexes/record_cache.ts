/**
 * A collection's cache of record views: the records read most recently, kept in RAM between reads so
 * that a recall, which reads the records of a few hundred candidates (and, asked again, mostly the same
 * ones), does not look each up through the LSM tree and decode it again.
 *
 * @module
 */
import type { RecordView } from "./record_codec.ts";

/**
 * RAM charged per entry besides the record's bytes and id: the view with its typed-array views and
 * offsets, the entry and the map's slot (about 500 bytes, estimated from V8's object sizes).
 */
const ENTRY_OVERHEAD = 512;

interface Entry {
  view: RecordView;
  /** What the entry is charged. */
  bytes: number;
  /** Read since it was stored or last passed over by eviction. */
  used: boolean;
}

/**
 * Record views by id within a budget of bytes. Eviction is CLOCK (second chance), close to least
 * recently used: a hit only marks its entry, so that it costs a lookup rather than a reinsertion; an
 * eviction passes over marked entries once, unmarking and moving them to the young end.
 *
 * A writer makes it safe: {@linkcode RecordCache.hold} the ids a batch puts or deletes before the batch
 * can become visible, and {@linkcode RecordCache.release} them once it is written (or failed). In between
 * a held id is neither returned nor stored, so the reader goes to the store, which answers for the old
 * state until the batch applies and for the new one after.
 *
 * INVARIANT: no held id is cached; `bytes` is the sum of the cached entries' charges and stays within
 * the budget.
 *
 * Concurrency: synchronous and single-threaded like the store's reads; hold and release bracket the one
 * write in flight (the collection serialises its writes).
 *
 * @example A held id is read from the store until released
 * ```ts
 * import { RecordCache } from "./record_cache.ts";
 * import { encodeRecord, viewRecord } from "./record_codec.ts";
 * const cache = new RecordCache(1 << 20);
 * const bytes = encodeRecord({ id: "a", eventTime: 1, recordTime: 1, validFrom: 1, payload: new Uint8Array() });
 * cache.set("a", viewRecord("a", bytes, "example"), bytes.byteLength);
 * cache.hold(["a"]);
 * const during = cache.get("a");
 * cache.release();
 * if (during !== undefined || cache.get("a") !== undefined) throw new Error("a stale view was returned");
 * ```
 */
export class RecordCache {
  readonly #limit: number;
  /** Oldest first. */
  readonly #views = new Map<string, Entry>();
  readonly #held = new Set<string>();
  #bytes = 0;

  /**
   * @param limitBytes The budget; 0 (or less) caches nothing.
   */
  constructor(limitBytes: number) {
    this.#limit = Math.max(0, limitBytes);
  }

  /** Bytes charged for the cached entries. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#views.size;
  }

  /** The cached view of `id` (now marked as used), or undefined. */
  get(id: string): RecordView | undefined {
    const e = this.#views.get(id);
    if (!e) return undefined;
    e.used = true;
    return e.view;
  }

  /**
   * Caches the view of `id`, read from the store now, unless the id is held or the entry exceeds the
   * budget; evicts the least recently used entries to make room.
   *
   * REQUIRES: `view` owns its bytes (nothing else writes them, and they pin no larger buffer);
   * `recordBytes` is their length.
   */
  set(id: string, view: RecordView, recordBytes: number): void {
    if (this.#held.has(id)) return;
    const bytes = recordBytes + id.length * 2 + ENTRY_OVERHEAD;
    if (bytes > this.#limit) return;
    this.#drop(id);
    this.#views.set(id, { view, bytes, used: false });
    this.#bytes += bytes;
    for (const [old, e] of this.#views) {
      if (this.#bytes <= this.#limit) break;
      this.#views.delete(old);
      if (e.used) {
        e.used = false; // its second chance: to the young end (the iteration meets it again at worst once)
        this.#views.set(old, e);
      } else {
        this.#bytes -= e.bytes;
      }
    }
  }

  /** Forgets `ids` and holds them until {@linkcode RecordCache.release}: a write is about to change them. */
  hold(ids: Iterable<string>): void {
    if (this.#limit === 0) return;
    for (const id of ids) {
      this.#drop(id);
      this.#held.add(id);
    }
  }

  /** Ends every hold: the write that asked for them has been applied (or failed). */
  release(): void {
    this.#held.clear();
  }

  /** Forgets every entry (holds stay). */
  clear(): void {
    this.#views.clear();
    this.#bytes = 0;
  }

  #drop(id: string): void {
    const e = this.#views.get(id);
    if (!e) return;
    this.#views.delete(id);
    this.#bytes -= e.bytes;
  }
}
