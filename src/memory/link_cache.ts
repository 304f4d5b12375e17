/**
 * Thread links (threads.ts) kept in RAM between recalls: a recall asks for the links of a few hundred
 * memories, mostly the same ones from one recall to the next, and each costs a lookup through the store
 * (and a JSON parse when the memory has one).
 *
 * @module
 */
import type { T4DX } from "../../engine/db.ts";
import { type Link, readLink } from "./threads.ts";

/**
 * The links of memories by namespace and id, as {@linkcode readLink} returns them (a memory outside any
 * thread is cached too). At most `limit` per namespace; the oldest go first.
 *
 * A writer makes it safe: {@linkcode LinkCache.hold} the ids whose links a batch changes (a
 * `ThreadEdit`'s {@linkcode ThreadEdit.changed}) before the batch can become visible, and
 * {@linkcode LinkCache.release} the namespace once it is written (or failed). A held id is read from the
 * store and not cached, so it reads the old link until the batch applies and the new one after.
 *
 * INVARIANT: no held id of a namespace is cached in it.
 *
 * Concurrency: synchronous. Hold and release bracket one write at a time per namespace (the writer holds
 * the namespace's write lock).
 *
 * @example A held link is read from the store until released
 * ```ts
 * import { MemFs, T4DX } from "../../engine/mod.ts";
 * import { LinkCache } from "./link_cache.ts";
 * import { ThreadEdit } from "./threads.ts";
 * const db = await T4DX.open("/db", { fs: new MemFs() });
 * const cache = new LinkCache(db);
 * const before = cache.get("ns", "a"); // no link yet, and that is cached
 * const edit = new ThreadEdit(db, "ns");
 * edit.insert("a", "s1", 1);
 * cache.hold("ns", edit.changed());
 * await db.write(edit.toBatch());
 * cache.release("ns");
 * if (before !== undefined || cache.get("ns", "a")?.s !== "s1") throw new Error("stale link");
 * await db.close();
 * ```
 */
export class LinkCache {
  readonly #db: T4DX;
  readonly #limit: number;
  readonly #links = new Map<string, Map<string, Link | null>>();
  readonly #held = new Map<string, Set<string>>();

  /**
   * @param db The store holding the links.
   * @param limit Links kept per namespace. @default 65536
   */
  constructor(db: T4DX, limit = 65_536) {
    this.#db = db;
    this.#limit = limit;
  }

  /** The link of `id` in `ns` as the store holds it now (shared: do not modify it). */
  get(ns: string, id: string): Link | undefined {
    let links = this.#links.get(ns);
    const hit = links?.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const l = readLink(this.#db, ns, id);
    if (this.#limit > 0 && !this.#held.get(ns)?.has(id)) {
      if (!links) this.#links.set(ns, links = new Map());
      links.set(id, l ?? null);
      if (links.size > this.#limit) links.delete(links.keys().next().value!);
    }
    return l;
  }

  /** Forgets the links of `ids` in `ns` and reads them from the store until `release(ns)`. */
  hold(ns: string, ids: Iterable<string>): void {
    let held = this.#held.get(ns);
    if (!held) this.#held.set(ns, held = new Set());
    const links = this.#links.get(ns);
    for (const id of ids) {
      held.add(id);
      links?.delete(id);
    }
  }

  /** Ends the holds of `ns`: the write that changed them has been applied (or failed). */
  release(ns: string): void {
    this.#held.delete(ns);
  }

  /** Forgets every link of `ns` (after a write that changed links without naming them). */
  clear(ns: string): void {
    this.#links.delete(ns);
  }
}
