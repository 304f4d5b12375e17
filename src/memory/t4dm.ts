/**
 * T4DM: the memory library. It maps memories onto T4DX collections (one per namespace: record, time,
 * lexical and vector indexes written atomically) plus a thread index of its own (threads.ts: each
 * session's memories in order, written in the same batches), embeds content with the configured embedder
 * (a memory after another in its session is embedded with it as context: context_vector.ts), and recalls
 * through the hybrid pipeline of hybrid_recall.ts and rank.ts. This file coordinates the memory layer, so
 * it is longer than a leaf file.
 *
 * @module
 */
import type { Collection } from "../../engine/indexes/collection.ts";
import { IndexedStore, type IndexedStoreOptions } from "../../engine/indexes/indexed_store.ts";
import type { RecordView, StoredRecord } from "../../engine/indexes/record_codec.ts";
import { WriteBatch } from "../../engine/mod.ts";
import { CachedEmbedder } from "../../cortex/cached_embedder.ts";
import type { Embedder } from "../../cortex/embedder.ts";
import { loadUseLite } from "../../cortex/use_onnx_embedder.ts";
import { WorkerEmbedder } from "../../cortex/worker_embedder.ts";
import { fromRecord, indexText, toRecord, viewWeights } from "./codec.ts";
import { contextText, memoryVector } from "./context_vector.ts";
import { MemoryError } from "./errors.ts";
import { type Clock, type Random, uuidv7Generator } from "./ids.ts";
import { matchesFilters } from "./filters.ts";
import { hybridRecall, type RecallTimings } from "./hybrid_recall.ts";
import { LinkCache } from "./link_cache.ts";
import { DEFAULT_WEIGHTS, type RankWeights, type ScoreParts } from "./rank.ts";
import { backfillBatches, type Link, ThreadEdit, threadPrefixes, threadsVersionKey } from "./threads.ts";
import {
  type Memory,
  NamespaceSchema,
  parse,
  type RecallOptions,
  RecallOptionsSchema,
  type StoreInput,
  StoreInputSchema,
  TimeSchema,
  toMs,
  type UpdatePatch,
  UpdatePatchSchema,
} from "./schema.ts";
import { resolveWhen } from "./time_window.ts";

/** Options of {@linkcode T4DM.open}. */
export interface T4DMOptions {
  /** Data directory. */
  path: string;
  /**
   * Text embedder. @default Universal Sentence Encoder lite (offline) on ONNX Runtime, or on TF.js where
   * ONNX Runtime cannot start in this process (`loadUseLite`), cached; `close()` releases it
   */
  embedder?: Embedder;
  /**
   * Without `embedder`: run USE lite on this many worker threads ({@linkcode WorkerEmbedder}, ONNX
   * Runtime on one core each, cached) instead of on the calling thread; `close()` stops them. A server
   * wants 1: the model then runs beside its event loop instead of on it. 0 embeds on the calling thread.
   * @default 0
   */
  embedWorkers?: number;
  /** Namespace used when a call names none. @default "default" */
  defaultNamespace?: string;
  /** Source of "now" (ms). @default Date.now */
  clock?: Clock;
  /** Source of randomness for ids. @default Math.random */
  random?: Random;
  /** Ranking parameters. @default DEFAULT_WEIGHTS */
  weights?: Partial<RankWeights>;
  /** How much one feedback call moves a memory's importance. @default 0.1 */
  feedbackStep?: number;
  /** Engine options (durability, file system, sizes). @default engine defaults */
  engine?: Omit<IndexedStoreOptions, "compactionFilter">;
}

/** One recalled memory. */
export interface RecallResult {
  memory: Memory;
  score: number;
  /** Each component's score, when `explain` was asked for. */
  explain?: ScoreParts;
}

/** Figures of {@linkcode T4DM.stats}. */
export interface MemoryStats {
  namespaces: Record<string, { memories: number; vectors: number }>;
  engine: ReturnType<IndexedStore["engine"]["stats"]>;
  embedder: string;
  /** What runs the embedder: `"onnxruntime (2 threads)"`, `"tfjs wasm"`, ... or `"the caller's"`. */
  embedderRuntime: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const HISTORY = 0x04;
const ACCESS = 0x05;

function histKey(ns: string, id: string, version?: number): Uint8Array {
  const base = enc.encode(`${ns}\0${id}\0`);
  const out = new Uint8Array(1 + base.length + (version === undefined ? 0 : 4));
  out[0] = HISTORY;
  out.set(base, 1);
  if (version !== undefined) new DataView(out.buffer).setUint32(1 + base.length, version, false);
  return out;
}

function accessKey(ns: string, id: string): Uint8Array {
  return new Uint8Array([ACCESS, ...enc.encode(`${ns}\0${id}`)]);
}

/** A storeMany call's memories of one namespace, embedded and waiting for the write lock. */
interface StoreJob {
  list: Memory[];
  ownVectors: Float32Array[];
  guessed: Map<string, Float32Array>;
  done: PromiseWithResolvers<void>;
}

/**
 * An open memory store.
 *
 * Concurrency: every method may overlap with the others. Writes to one namespace (store, update,
 * invalidate, feedback, forget, import) take the namespace's write lock, so they apply one at a time in
 * call order and each sees the threads the previous one left; a store embeds its texts before taking the
 * lock and re-embeds inside it only a context that changed meanwhile. Recall takes no lock: after the
 * query is embedded it reads the indexes synchronously, so it sees one consistent state.
 *
 * @example Store and recall
 * ```ts ignore
 * import { T4DM } from "./t4dm.ts";
 * const mem = await T4DM.open({ path: Deno.makeTempDirSync() });
 * await mem.store({ content: "Ada prefers tea over coffee", actor: "ada" });
 * const [top] = await mem.recall({ query: "what does Ada drink?" });
 * if (!top?.memory.content.includes("tea")) throw new Error("not recalled");
 * await mem.close();
 * ```
 */
export class T4DM {
  readonly #store: IndexedStore;
  readonly #embedder: Embedder;
  readonly #defaultNs: string;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #weights: RankWeights;
  readonly #access = new Map<string, { ns: string; id: string; count: number; last: number }>();
  #accessTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #ready = new Map<string, Promise<Collection>>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #storeQueues = new Map<string, StoreJob[]>();
  /** Thread links read by recalls; every write that changes links holds them (see `#writeThreads`). */
  readonly #links: LinkCache;
  /** The embedder this store started (the default or the `embedWorkers` pool), released by close. */
  #owned: { dispose(): void | Promise<void> } | undefined;
  /** What runs the embedder, for stats. */
  #runtime = "the caller's";
  readonly #feedbackStep: number;

  private constructor(store: IndexedStore, embedder: Embedder, o: T4DMOptions) {
    this.#store = store;
    this.#links = new LinkCache(store.engine);
    this.#embedder = embedder;
    this.#defaultNs = o.defaultNamespace ?? "default";
    this.#clock = o.clock ?? Date.now;
    this.#newId = uuidv7Generator(this.#clock, o.random ?? Math.random);
    this.#weights = { ...DEFAULT_WEIGHTS, ...o.weights };
    this.#feedbackStep = o.feedbackStep ?? 0.1;
  }

  /**
   * Opens (or creates) the store at `options.path`.
   *
   * @throws {IOError} Another process has the store open.
   */
  static async open(options: T4DMOptions): Promise<T4DM> {
    const store = await IndexedStore.open(options.path, options.engine ?? {}); // fails fast when locked
    let owned: { dispose(): void | Promise<void> } | undefined;
    let runtime = "the caller's";
    try {
      let embedder = options.embedder;
      if (!embedder) {
        const inner = (options.embedWorkers ?? 0) > 0
          ? await WorkerEmbedder.load({ workers: options.embedWorkers! })
          : await loadUseLite();
        owned = inner;
        // A worker queues the next batch while it runs one (see CachedEmbedder's maxInFlight).
        embedder = new CachedEmbedder(inner, inner instanceof WorkerEmbedder ? { maxInFlight: 2 } : {});
        runtime = inner.runtime;
      }
      const mem = new T4DM(store, embedder, options);
      mem.#owned = owned;
      mem.#runtime = runtime;
      return mem;
    } catch (e) {
      await owned?.dispose();
      await store.close();
      throw e;
    }
  }

  /** The embedder in use. */
  get embedder(): Embedder {
    return this.#embedder;
  }

  /** What runs the embedder: `"onnxruntime (1 thread) on 1 worker"`, `"tfjs wasm"`, ... or `"the caller's"`. */
  get embedderRuntime(): string {
    return this.#runtime;
  }

  #ns(ns: string | undefined): string {
    return ns === undefined ? this.#defaultNs : parse(NamespaceSchema, ns, "use namespace");
  }

  /** The namespace's collection, or undefined when it was never written (reads never create one). */
  async #existing(ns: string): Promise<Collection | undefined> {
    return this.#store.hasCollection(`ns.${ns}`) ? await this.#collection(ns) : undefined;
  }

  /** The namespace's collection, created if absent, with its thread index built if it predates it. */
  #collection(ns: string): Promise<Collection> {
    let p = this.#ready.get(ns);
    if (!p) {
      p = (async () => {
        const c = await this.#store.collection(`ns.${ns}`, { dim: this.#embedder.dim });
        if (!this.#store.engine.get(threadsVersionKey(ns))) await this.#backfillThreads(ns, c);
        return c;
      })();
      p.catch(() => this.#ready.delete(ns));
      this.#ready.set(ns, p);
    }
    return p;
  }

  /**
   * Builds the thread index of a namespace written before it existed: one pass over the records. An
   * interrupted build leaves no version key, so the next open clears what it wrote and starts over.
   */
  async #backfillThreads(ns: string, c: Collection): Promise<void> {
    const db = this.#store.engine;
    let clear = new WriteBatch();
    for (const prefix of threadPrefixes(ns)) {
      for (const [k] of db.iterator({ prefix })) {
        clear.delete(k);
        if (clear.count >= 4096) await db.write(clear), clear = new WriteBatch();
      }
    }
    if (clear.count > 0) await db.write(clear);
    const memories: { id: string; session: string; eventTime: number }[] = [];
    for (const { id } of c.timeRange({})) {
      const r = c.get(id);
      const m = r && fromRecord(r);
      if (m?.session !== undefined) memories.push({ id, session: m.session, eventTime: m.eventTime });
    }
    for (const b of backfillBatches(ns, memories)) await db.write(b);
    this.#links.clear(ns); // nothing read them meanwhile (every reader awaits this), but to be safe
  }

  /** Runs `fn` holding the namespace's write lock (see the class's concurrency note). */
  #locked<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const p = (this.#locks.get(ns) ?? Promise.resolve()).then(fn);
    const tail = p.catch(() => {});
    this.#locks.set(ns, tail);
    void tail.then(() => {
      if (this.#locks.get(ns) === tail) this.#locks.delete(ns);
    });
    return p;
  }

  /**
   * Where `list` (memories about to be stored in `ns`, some perhaps replacing stored ones) go in their
   * threads, and each one's previous memory, on the store's current state.
   */
  #plan(
    c: Collection,
    ns: string,
    list: readonly Memory[],
  ): { edit: ThreadEdit; context: (string | undefined)[] } {
    const edit = new ThreadEdit(this.#store.engine, ns);
    const held = new Map<string, string[]>();
    for (const m of list) {
      const old = c.get(m.id);
      if (!old) continue;
      const l = edit.remove(m.id, old.eventTime);
      if (l?.h) held.set(m.id, l.h);
    }
    for (const m of list) {
      if (m.session !== undefined) edit.insert(m.id, m.session, m.eventTime, held.get(m.id));
    }
    const pending = new Map(list.map((m) => [m.id, m]));
    const context = list.map((m, i) => {
      const prev = m.session === undefined ? undefined : edit.link(m.id)?.p;
      if (prev === undefined) return undefined;
      const p = pending.get(prev);
      const text = p ? indexText(p) : c.get(prev)?.text;
      return text === undefined ? undefined : contextText(text, indexText(list[i]!));
    });
    return { edit, context };
  }

  #check(): void {
    if (this.#closed) throw new MemoryError("UNAVAILABLE", "Cannot use the memory store: it is closed");
  }

  /** Stores one memory. */
  async store(input: StoreInput): Promise<Memory> {
    return (await this.storeMany([input]))[0]!;
  }

  /**
   * Stores memories: per namespace one atomic write, embeddings computed in one batch. An input with an
   * existing `id` replaces that memory (as an import does).
   *
   * @throws {MemoryError} VALIDATION naming the first bad field; nothing is stored.
   */
  async storeMany(inputs: readonly StoreInput[]): Promise<Memory[]> {
    this.#check();
    const now = this.#clock();
    const parsed = inputs.map((x, i) =>
      parse(StoreInputSchema, x, inputs.length === 1 ? "store memory" : `store memory #${i}`)
    );
    const memories: Memory[] = parsed.map((p) => {
      const eventTime = p.eventTime === undefined ? now : toMs(p.eventTime);
      const m: Memory = {
        id: p.id ?? this.#newId(),
        namespace: this.#ns(p.namespace),
        kind: p.kind ?? "episodic",
        content: p.content,
        eventTime,
        recordTime: now,
        validFrom: p.validFrom === undefined ? eventTime : toMs(p.validFrom),
        importance: p.importance ?? 0.5,
        kappa: p.kappa ?? 0,
        tags: p.tags ?? [],
        metadata: (p.metadata ?? {}) as Record<string, unknown>,
        provenance: p.provenance ?? [],
        access: { count: 0 },
        version: 1,
      };
      if (p.session !== undefined) m.session = p.session;
      if (p.actor !== undefined) m.actor = p.actor;
      if (p.validTo !== undefined) m.validTo = toMs(p.validTo);
      return m;
    });
    const byNs = new Map<string, Memory[]>();
    for (const m of memories) byNs.set(m.namespace, [...(byNs.get(m.namespace) ?? []), m]);
    for (const [ns, list] of byNs) {
      const c = await this.#collection(ns);
      // Embed before taking the lock, with the contexts as the threads are now; inside it, re-embed only
      // the contexts that another write changed meanwhile.
      const own = list.map(indexText);
      const guess = [...new Set(this.#plan(c, ns, list).context.filter((t) => t !== undefined))];
      const vectors = await this.#embedder.embed([...own, ...guess]); // one model call for both
      const ownVectors = vectors.slice(0, own.length);
      const guessed = new Map(guess.map((t, i) => [t, vectors[own.length + i]!]));
      const job: StoreJob = { list, ownVectors, guessed, done: Promise.withResolvers<void>() };
      const queue = this.#storeQueues.get(ns) ?? [];
      this.#storeQueues.set(ns, queue);
      queue.push(job);
      void this.#locked(ns, () => this.#drainStores(c, ns)).catch((e) => job.done.reject(e));
      await job.done.promise;
    }
    return memories;
  }

  /**
   * Writes the stores queued for `ns`, holding its write lock: all of them in one atomic write (one
   * fsync), as long as no memory id repeats across them and the write stays under 4096 memories, else in
   * several. Under load the lock is the queue: while one write waits for its fsync, the stores that arrive
   * meanwhile gather here, so a burst of stores costs a few writes instead of one each. A failed write
   * fails the stores it held and no others.
   */
  async #drainStores(c: Collection, ns: string): Promise<void> {
    const queue = this.#storeQueues.get(ns);
    while (queue && queue.length > 0) {
      const ids = new Set<string>();
      let take = 0;
      let count = 0;
      for (const job of queue) {
        if (take > 0 && (count + job.list.length > 4096 || job.list.some((m) => ids.has(m.id)))) break;
        for (const m of job.list) ids.add(m.id);
        count += job.list.length;
        take++;
      }
      const jobs = queue.splice(0, take);
      try {
        const list = jobs.flatMap((j) => j.list);
        const own = jobs.flatMap((j) => j.ownVectors);
        const guessed = new Map<string, Float32Array>();
        for (const j of jobs) for (const [t, v] of j.guessed) guessed.set(t, v);
        const { edit, context } = this.#plan(c, ns, list);
        const missing = context.filter((t): t is string => t !== undefined && !guessed.has(t));
        for (const [t, v] of await this.#embedMap(missing)) guessed.set(t, v);
        const records = list.map((m, i) => {
          const ctx = context[i];
          edit.setContext(m.id, ctx === undefined ? undefined : edit.link(m.id)?.p);
          return toRecord(m, memoryVector(own[i]!, ctx === undefined ? undefined : guessed.get(ctx)));
        });
        await this.#writeThreads(ns, edit, () => c.put(records, { extra: edit.toBatch() }));
        for (const j of jobs) j.done.resolve();
      } catch (e) {
        for (const j of jobs) j.done.reject(e);
      }
    }
    if (queue?.length === 0) this.#storeQueues.delete(ns);
  }

  /** Embeddings of the defined texts, by text. */
  async #embedMap(texts: readonly (string | undefined)[]): Promise<Map<string, Float32Array>> {
    const list = [...new Set(texts.filter((t): t is string => t !== undefined))];
    const vectors = list.length === 0 ? [] : await this.#embedder.embed(list);
    return new Map(list.map((t, i) => [t, vectors[i]!]));
  }

  /** The vector of a stored memory's text after its current previous memory (per `edit`), and that memory. */
  async #vectorFor(
    c: Collection,
    edit: ThreadEdit,
    id: string,
    text: string,
  ): Promise<{ vector: Float32Array; context: string | undefined }> {
    const prev = edit.link(id)?.p;
    const prevText = prev === undefined ? undefined : c.get(prev)?.text;
    const ctx = prevText === undefined ? undefined : contextText(prevText, text);
    const [own, cv] = await this.#embedder.embed(ctx === undefined ? [text] : [text, ctx]);
    return { vector: memoryVector(own!, cv), context: ctx === undefined ? undefined : prev };
  }

  /** The memory `id`, or undefined. */
  async get(id: string, options: { namespace?: string } = {}): Promise<Memory | undefined> {
    this.#check();
    const ns = this.#ns(options.namespace);
    const c = await this.#existing(ns);
    return c && this.#load(c, ns, id);
  }

  #load(c: Collection, ns: string, id: string): Memory | undefined {
    let r;
    try {
      r = c.view(id);
    } catch (e) {
      if ((e as { code?: string }).code === "INVALID_ARGUMENT") return undefined;
      throw e;
    }
    if (!r) return undefined;
    const m = fromRecord(r);
    const stored = this.#store.engine.get(accessKey(ns, id));
    if (stored) m.access = JSON.parse(dec.decode(stored));
    const pending = this.#access.get(`${ns}\0${id}`);
    if (pending) m.access = { count: m.access.count + pending.count, last: pending.last };
    return m;
  }

  async #mustLoad(id: string, ns: string, action: string): Promise<{ c: Collection; m: Memory }> {
    const c = await this.#existing(ns);
    const m = c && this.#load(c, ns, id);
    if (!c || !m) {
      throw new MemoryError(
        "NOT_FOUND",
        `Cannot ${action} memory ${JSON.stringify(id)}: no such memory in "${ns}"`,
      );
    }
    return { c, m };
  }

  /**
   * Replaces a memory's fields with a new version; the previous version stays in its history.
   *
   * @throws {MemoryError} NOT_FOUND, or VALIDATION naming the bad field.
   */
  async update(id: string, patch: UpdatePatch, options: { namespace?: string } = {}): Promise<Memory> {
    this.#check();
    const p = parse(UpdatePatchSchema, patch, "update memory");
    if (Object.keys(p).length === 0) {
      throw new MemoryError("VALIDATION", "Cannot update memory: the patch changes no field", {
        field: "(root)",
      });
    }
    const ns = this.#ns(options.namespace);
    return await this.#locked(ns, async () => {
      const { c, m } = await this.#mustLoad(id, ns, "update");
      const next: Memory = { ...m, version: m.version + 1, recordTime: this.#clock() };
      if (p.content !== undefined) next.content = p.content;
      if (p.actor !== undefined) next.actor = p.actor;
      if (p.kind !== undefined) next.kind = p.kind;
      if (p.eventTime !== undefined) next.eventTime = toMs(p.eventTime);
      if (p.importance !== undefined) next.importance = p.importance;
      if (p.tags !== undefined) next.tags = p.tags;
      if (p.metadata !== undefined) next.metadata = p.metadata as Record<string, unknown>;
      const edit = new ThreadEdit(this.#store.engine, ns);
      if (m.session !== undefined && next.eventTime !== m.eventTime) {
        const l = edit.remove(id, m.eventTime);
        edit.insert(id, m.session, next.eventTime, l?.h);
      }
      const { vector, context } = await this.#vectorFor(c, edit, id, indexText(next));
      edit.setContext(id, context);
      await this.#writeThreads(
        ns,
        edit,
        () => c.put([toRecord(next, vector)], { extra: edit.toBatch(this.#archive(m)) }),
      );
      return next;
    });
  }

  /**
   * Runs `write`, which commits `edit`'s batch, with the links the edit changes held in the link cache:
   * recalls meanwhile read them from the store (old until the batch applies, new after).
   */
  async #writeThreads<T>(ns: string, edit: ThreadEdit, write: () => Promise<T>): Promise<T> {
    this.#links.hold(ns, edit.changed());
    try {
      return await write();
    } finally {
      this.#links.release(ns);
    }
  }

  /** The history entry of the version being replaced, committed in the same batch as its successor. */
  #archive(m: Memory): WriteBatch {
    return new WriteBatch().put(histKey(m.namespace, m.id, m.version), enc.encode(JSON.stringify(m)));
  }

  /**
   * Records whether a recalled memory was useful: its importance moves up (or down) by
   * `feedbackStep`, clamped to 0..1. Not a new version: importance is the store's own estimate, not the
   * memory's content. Feedback takes the namespace's write lock, so concurrent calls all count.
   */
  async feedback(id: string, useful: boolean, options: { namespace?: string } = {}): Promise<Memory> {
    this.#check();
    const ns = this.#ns(options.namespace);
    return await this.#locked(ns, () => this.#feedback(id, ns, useful));
  }

  async #feedback(id: string, ns: string, useful: boolean): Promise<Memory> {
    const { c, m } = await this.#mustLoad(id, ns, "give feedback on");
    const next: Memory = {
      ...m,
      importance: Math.min(1, Math.max(0, m.importance + (useful ? 1 : -1) * this.#feedbackStep)),
    };
    const r = c.get(id)!;
    await c.put([toRecord(next, r.vector)]);
    return next;
  }

  /**
   * Marks a memory as no longer valid from `at` (default now) without erasing it: recall skips it unless
   * asked `asOf` a time when it was valid.
   */
  async invalidate(id: string, options: { namespace?: string; at?: number | string } = {}): Promise<Memory> {
    this.#check();
    const ns = this.#ns(options.namespace);
    const at = options.at === undefined
      ? this.#clock()
      : toMs(parse(TimeSchema, options.at, "invalidate memory"));
    return await this.#locked(ns, async () => {
      const { c, m } = await this.#mustLoad(id, ns, "invalidate");
      const next: Memory = { ...m, version: m.version + 1, recordTime: this.#clock(), validTo: at };
      const r = c.get(id)!;
      await c.put([toRecord(next, r.vector)], { extra: this.#archive(m) });
      return next;
    });
  }

  /**
   * Deletes a memory and its history from every index, for good, and checks that no index still returns
   * it. The memories whose context vectors hold its text (the next one in its session, usually) are
   * re-embedded without it in the same atomic write. Returns false when there was nothing to delete.
   */
  async forget(id: string, options: { namespace?: string } = {}): Promise<boolean> {
    this.#check();
    const ns = this.#ns(options.namespace);
    const c = await this.#existing(ns);
    if (!c) return false;
    return await this.#locked(ns, () => this.#forget(c, ns, id));
  }

  async #forget(c: Collection, ns: string, id: string): Promise<boolean> {
    const m = this.#load(c, ns, id);
    const edit = new ThreadEdit(this.#store.engine, ns);
    const removed: Link | undefined = m ? edit.remove(id, m.eventTime) : undefined;
    const puts: StoredRecord[] = [];
    for (const h of removed?.h ?? []) {
      const r = c.get(h);
      if (!r || r.text === undefined) continue;
      const { vector, context } = await this.#vectorFor(c, edit, h, r.text);
      edit.setContext(h, context);
      puts.push({ ...r, vector });
    }
    const b = edit.toBatch();
    for (const [k] of this.#store.engine.iterator({ prefix: histKey(ns, id) })) b.delete(k);
    b.delete(accessKey(ns, id));
    this.#access.delete(`${ns}\0${id}`);
    const n = (await this.#writeThreads(ns, edit, () => c.write({ delete: [id], put: puts }, { extra: b })))
      .deleted;
    if (
      m && (c.get(id) || c.timeRange({ from: m.eventTime, to: m.eventTime + 1 }).some((x) => x.id === id))
    ) {
      throw new MemoryError("CONFLICT", `Cannot forget memory ${JSON.stringify(id)}: it is still indexed`);
    }
    return n > 0 || m !== undefined;
  }

  /** Every version of a memory, oldest first, ending with the current one (if it still exists). */
  async history(id: string, options: { namespace?: string } = {}): Promise<Memory[]> {
    this.#check();
    const ns = this.#ns(options.namespace);
    const out: Memory[] = [];
    for (const [, v] of this.#store.engine.iterator({ prefix: histKey(ns, id) })) {
      out.push(JSON.parse(dec.decode(v)));
    }
    const cur = await this.get(id, { namespace: ns });
    if (cur) out.push(cur);
    return out;
  }

  /**
   * Recalls the memories that best answer `query`: candidates by meaning (vectors) and words (BM25),
   * their session neighbours, exact scores in both indexes for all of them, then the hybrid ranking with
   * context, thread and the dates the query names (hybrid_recall.ts). `window` and `when` are hard
   * event-time windows; the filters, `asOf` and validity apply to every memory returned.
   * `hints.queryVector` skips embedding the query (benchmarks, callers that embed themselves);
   * `hints.timings` is filled with each stage's time.
   *
   * @throws {MemoryError} VALIDATION naming the bad option.
   */
  async recall(
    options: RecallOptions,
    hints: { queryVector?: Float32Array; timings?: RecallTimings } = {},
  ): Promise<RecallResult[]> {
    this.#check();
    const o = parse(RecallOptionsSchema, options, "recall");
    if (o.window && o.when) {
      throw new MemoryError(
        "VALIDATION",
        'Cannot recall: give either field "window" or field "when", not both',
        {
          field: "when",
        },
      );
    }
    const ns = this.#ns(o.namespace);
    const c = await this.#existing(ns);
    if (!c) return [];
    const now = o.now === undefined ? this.#clock() : toMs(o.now);
    const k = o.k ?? 10;
    let window: { from: number; to: number } | undefined;
    if (o.window) {
      window = {
        from: o.window.from === undefined ? -8.64e15 : toMs(o.window.from),
        to: o.window.to === undefined ? 8.64e15 : toMs(o.window.to),
      };
    } else if (o.when) {
      const w = resolveWhen(o.when, now);
      if (!w) {
        throw new MemoryError(
          "VALIDATION",
          `Cannot recall: field "when" names no time: ${JSON.stringify(o.when)}`,
          { field: "when" },
        );
      }
      window = w;
    }
    const asOf = o.asOf === undefined ? undefined : toMs(o.asOf);
    const qv = hints.queryVector ?? (await this.#embedder.embed([o.query]))[0]!;
    // From here on everything is synchronous: one consistent state of the indexes.
    const records = new Map<string, RecordView | undefined>();
    const record = (id: string) => {
      if (!records.has(id)) records.set(id, c.view(id));
      return records.get(id);
    };
    const parsed = new Map<string, Memory | undefined>();
    const memory = (id: string) => {
      if (!parsed.has(id)) {
        const r = record(id);
        parsed.set(id, r && fromRecord(r));
      }
      return parsed.get(id);
    };
    const weights = new Map<string, { importance: number; kappa: number } | undefined>();
    const weightsOf = (id: string) => {
      if (!weights.has(id)) {
        const r = record(id);
        weights.set(id, r && (parsed.get(id) ?? viewWeights(r)));
      }
      return weights.get(id);
    };
    const payloadFilters = o.session !== undefined || (o.kinds?.length ?? 0) > 0 || o.tags !== undefined ||
      o.metadata !== undefined;
    const passed = new Map<string, boolean>();
    const pass = (id: string) => {
      let ok = passed.get(id);
      if (ok !== undefined) return ok;
      const r = record(id);
      ok = r !== undefined &&
        (asOf === undefined
          ? r.validTo === undefined || r.validTo > now
          : r.validFrom <= asOf && (r.validTo === undefined || asOf < r.validTo)) &&
        (window === undefined || (r.eventTime >= window.from && r.eventTime < window.to)) &&
        (!payloadFilters || matchesFilters(memory(id)!, o));
      passed.set(id, ok);
      return ok;
    };
    const links = new Map<string, Link | undefined>();
    const ranked = hybridRecall(
      {
        collection: c,
        record,
        pass,
        link: (id) => {
          if (!links.has(id)) links.set(id, this.#links.get(ns, id));
          return links.get(id);
        },
        weightsOf,
      },
      { text: o.query, vector: qv, now, k, weights: this.#weights },
      hints.timings,
    );
    const out: RecallResult[] = [];
    for (const r of ranked) {
      if (o.minScore !== undefined && r.parts.total < o.minScore) break;
      const m = this.#load(c, ns, r.id);
      if (!m) continue;
      const res: RecallResult = { memory: m, score: r.parts.total };
      if (o.explain) res.explain = r.parts;
      out.push(res);
      if (out.length >= k) break;
    }
    for (const r of out) this.#touch(ns, r.memory.id, now);
    return out;
  }

  #touch(ns: string, id: string, now: number): void {
    const key = `${ns}\0${id}`;
    const a = this.#access.get(key) ?? { ns, id, count: 0, last: now };
    a.count++;
    a.last = now;
    this.#access.set(key, a);
    this.#accessTimer ??= setTimeout(() => void this.#flushAccess().catch(() => {}), 1000);
  }

  async #flushAccess(): Promise<void> {
    clearTimeout(this.#accessTimer);
    this.#accessTimer = undefined;
    if (this.#access.size === 0) return;
    const b = new WriteBatch();
    for (const a of this.#access.values()) {
      const stored = this.#store.engine.get(accessKey(a.ns, a.id));
      const prev = stored ? JSON.parse(dec.decode(stored)) as { count: number } : { count: 0 };
      b.put(accessKey(a.ns, a.id), enc.encode(JSON.stringify({ count: prev.count + a.count, last: a.last })));
    }
    this.#access.clear();
    await this.#store.engine.write(b);
  }

  /**
   * Streams memories as JSON lines (one memory a line, current versions), oldest first.
   */
  async *export(options: { namespace?: string } = {}): AsyncGenerator<string> {
    this.#check();
    const ns = this.#ns(options.namespace);
    const c = await this.#existing(ns);
    if (!c) return;
    for (const { id } of c.timeRange({ field: "record" })) {
      const m = this.#load(c, ns, id);
      if (m) yield JSON.stringify(m);
    }
  }

  /**
   * Imports JSON lines (as written by {@linkcode T4DM.export}, or plain store inputs), in batches.
   * Bad lines are reported and skipped; good lines are stored.
   */
  async import(
    lines: AsyncIterable<string> | Iterable<string>,
    options: { namespace?: string; batchSize?: number; onProgress?: (done: number) => void } = {},
  ): Promise<{ imported: number; failed: { line: number; error: string }[] }> {
    this.#check();
    const size = options.batchSize ?? 256;
    let batch: StoreInput[] = [];
    let imported = 0;
    let n = 0;
    const failed: { line: number; error: string }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.storeMany(batch);
      imported += batch.length;
      batch = [];
      options.onProgress?.(imported);
    };
    for await (const raw of lines) {
      n++;
      const line = raw.trim();
      if (!line) continue;
      try {
        let obj: Record<string, unknown>;
        try {
          obj = JSON.parse(line);
        } catch (e) {
          throw new MemoryError("VALIDATION", `Cannot import line ${n}: not JSON: ${(e as Error).message}`);
        }
        if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
          throw new MemoryError("VALIDATION", `Cannot import line ${n}: not a JSON object`);
        }
        const input: Record<string, unknown> = {};
        for (const f of Object.keys(StoreInputSchema.shape)) if (obj[f] !== undefined) input[f] = obj[f];
        if (options.namespace) input.namespace = options.namespace;
        batch.push(parse(StoreInputSchema, input, `import line ${n}`));
      } catch (e) {
        failed.push({ line: n, error: (e as Error).message });
      }
      if (batch.length >= size) await flush();
    }
    await flush();
    return { imported, failed };
  }

  /** Counts per namespace and the engine's figures. */
  async stats(): Promise<MemoryStats> {
    this.#check();
    const namespaces: MemoryStats["namespaces"] = {};
    for (const name of this.#store.collections()) {
      if (!name.startsWith("ns.")) continue;
      const c = await this.#store.collection(name);
      const s = c.stats();
      namespaces[name.slice(3)] = { memories: s.count, vectors: s.vectors };
    }
    return {
      namespaces,
      engine: this.#store.engine.stats(),
      embedder: this.#embedder.id,
      embedderRuntime: this.#runtime,
    };
  }

  /** Flushes access statistics and vector sidecars, and closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#flushAccess();
    this.#closed = true;
    try {
      await this.#store.close();
    } finally {
      await this.#owned?.dispose();
    }
  }
}
