/**
 * A T4DX store with indexed collections (namespaces): the entry point of engine/indexes/.
 *
 * @module
 */
import { T4DX } from "../db.ts";
import type { OpenOptions } from "../db.ts";
import { RealFs } from "../fs/real_fs.ts";
import { Collection, type CollectionOptions } from "./collection.ts";
import { checkName } from "./keyspace.ts";

/** Options of {@linkcode IndexedStore.open}: the engine's, plus where vector sidecars go. */
export interface IndexedStoreOptions extends OpenOptions {
  /**
   * Directory of the HNSW sidecar files. Sidecars are written by the native addon straight to the
   * real file system, so with a non-real `fs` they are off and graphs are rebuilt on open.
   * @default `<dir>/vectors` with the real file system, none otherwise
   */
  sidecarDir?: string | false;
  /** Persist a collection's sidecar after this many vector changes. @default 50000 */
  persistEvery?: number;
}

const REGISTRY = 0x03;
const enc = new TextEncoder();
const dec = new TextDecoder();

function hex(s: string): string {
  return [...enc.encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An engine plus its collections.
 *
 * Concurrency: as {@linkcode T4DX}; collections serialise their own writes.
 *
 * @example Two tenants never see each other
 * ```ts
 * import { IndexedStore } from "./indexed_store.ts";
 * import { MemFs } from "../fs/mem_fs.ts";
 * const store = await IndexedStore.open("/db", { fs: new MemFs() });
 * const a = await store.collection("a");
 * const b = await store.collection("b");
 * await a.put([{ id: "x", eventTime: 1, recordTime: 1, text: "hello world", payload: new Uint8Array() }]);
 * if (b.bm25("hello", 5).length !== 0 || a.bm25("hello", 5).length !== 1) throw new Error("leak");
 * await store.close();
 * ```
 */
export class IndexedStore {
  /** The underlying engine. */
  readonly engine: T4DX;
  readonly #sidecarDir: string | undefined;
  readonly #persistEvery: number;
  /** Whether a compaction filter may drop or rewrite records behind the collections' backs. */
  readonly #filtered: boolean;
  readonly #open = new Map<string, Promise<Collection>>();

  private constructor(engine: T4DX, sidecarDir: string | undefined, persistEvery: number, filtered: boolean) {
    this.engine = engine;
    this.#sidecarDir = sidecarDir;
    this.#persistEvery = persistEvery;
    this.#filtered = filtered;
  }

  /** Opens the store in `dir` (see {@linkcode T4DX.open}). */
  static async open(dir: string, options: IndexedStoreOptions = {}): Promise<IndexedStore> {
    const engine = await T4DX.open(dir, options);
    const real = options.fs === undefined || options.fs instanceof RealFs;
    let sidecarDir: string | undefined;
    if (options.sidecarDir !== false) {
      sidecarDir = options.sidecarDir ?? (real ? `${engine.path}/vectors` : undefined);
      if (sidecarDir) new RealFs().mkdirp(sidecarDir);
    }
    return new IndexedStore(
      engine,
      sidecarDir,
      options.persistEvery ?? 50_000,
      options.compactionFilter !== undefined,
    );
  }

  /**
   * Opens or creates collection `name`. With a compaction filter (which may drop or rewrite records), the
   * record and postings caches are off unless `options.recordCacheBytes` / `postingsCacheBytes` say
   * otherwise.
   */
  collection(name: string, options: CollectionOptions = {}): Promise<Collection> {
    checkName("collection name", name);
    let p = this.#open.get(name);
    if (!p) {
      p = (async () => {
        const key = new Uint8Array([REGISTRY, ...enc.encode(name)]);
        if (!this.engine.get(key)) await this.engine.put(key, new Uint8Array());
        const path = this.#sidecarDir ? `${this.#sidecarDir}/${hex(name)}.hnsw` : undefined;
        // A filter changes records and postings behind the caches' backs: both are off unless asked for.
        const o = this.#filtered
          ? {
            ...options,
            recordCacheBytes: options.recordCacheBytes ?? 0,
            postingsCacheBytes: options.postingsCacheBytes ?? 0,
          }
          : options;
        return await Collection.open(this.engine, name, o, {
          sidecar: path,
          persistEvery: this.#persistEvery,
        });
      })();
      p.catch(() => this.#open.delete(name));
      this.#open.set(name, p);
    }
    return p;
  }

  /** Whether collection `name` exists (without creating it). */
  hasCollection(name: string): boolean {
    return this.#open.has(name) ||
      this.engine.get(new Uint8Array([REGISTRY, ...enc.encode(name)])) !== undefined;
  }

  /** Names of every collection ever created, sorted. */
  collections(): string[] {
    const out: string[] = [];
    for (const [k] of this.engine.iterator({ prefix: new Uint8Array([REGISTRY]) })) {
      out.push(dec.decode(k.subarray(1)));
    }
    return out;
  }

  /** Persists every open collection's vector sidecar, then closes the engine. */
  async close(): Promise<void> {
    for (const p of this.#open.values()) {
      const c = await p.catch(() => undefined);
      if (c) await c.persistVectors();
    }
    this.#open.clear();
    await this.engine.close();
  }
}
