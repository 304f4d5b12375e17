/**
 * Threads: the memories of one session in event-time order, each linked to the one before and after it.
 * Recall uses the links for context smoothing and the thread boost (src/recall/), and a write uses them to
 * find the memory whose text goes into a new memory's context vector. They are the library's own keys,
 * outside the engine's collections, and every change is written in the same atomic batch as the records
 * it follows (`Collection.write(..., { extra })`).
 *
 * | key                                                                 | value                      |
 * |---------------------------------------------------------------------|----------------------------|
 * | `06 <ns> 00 <u16 BE session bytes> <session> <u64 BE t + 2^52> <id>` | empty: session order       |
 * | `07 <ns> 00 <id>`                                                   | link (JSON, {@linkcode Link}) |
 * | `08 <ns> 00 <session>`                                              | id of the session's last   |
 * | `09 <ns>`                                                           | thread index version (u8)  |
 *
 * Order within a session is (event time, id); minted ids follow creation order, so memories stored in
 * order with equal event times (the turns of one conversation session) keep that order. The session is
 * length-prefixed so that no session's order keys are a prefix range of another's. Namespace names and
 * ids hold no NUL (schema.ts).
 *
 * Worked example: namespace "default", session "s1" (2 bytes), t = 0, id "m1": key `06` + "default" + `00`
 * + `00 02` + "s1" + `00 10 00 00 00 00 00 00` + "m1", 22 bytes.
 *
 * @module
 */
import type { T4DX } from "../../engine/db.ts";
import { WriteBatch } from "../../engine/write_batch.ts";
import { compareBytes } from "../../engine/util/coding.ts";
import { concat, encodeUtf8 } from "../../engine/indexes/keyspace.ts";

/** ON DISK, NEVER CHANGE: the first byte of each thread key space (0x04, 0x05: t4dm.ts). */
export const THREAD_TAG = { order: 0x06, link: 0x07, tail: 0x08, version: 0x09 } as const;
/** ON DISK: the version of the thread index written by this code; a namespace without it is backfilled. */
export const THREADS_VERSION = 1;

/** A memory's place in its thread. */
export interface Link {
  /** The session. */
  s: string;
  /** The memory before it. */
  p?: string;
  /** The memory after it. */
  n?: string;
  /** The memory whose text is in this memory's context vector (its previous one when it was embedded). */
  c?: string;
  /** The memories whose context vectors hold this memory's text (re-embedded when it is forgotten). */
  h?: string[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const TIME_OFFSET = 2 ** 52;

/** Namespace prefixes by tag, then namespace (a recall builds hundreds of link keys). */
const prefixes = new Map<number, Map<string, Uint8Array>>();

function nsPrefix(tag: number, ns: string): Uint8Array {
  let byNs = prefixes.get(tag);
  if (!byNs) prefixes.set(tag, byNs = new Map());
  let p = byNs.get(ns);
  if (!p) {
    if (byNs.size > 1000) byNs.clear();
    byNs.set(ns, p = concat([[tag], enc.encode(ns), [0]]));
  }
  return p;
}

/** The key range of one session's order keys. */
function sessionPrefix(ns: string, session: string): Uint8Array {
  const s = enc.encode(session);
  return concat([nsPrefix(THREAD_TAG.order, ns), [s.length >> 8, s.length & 0xff], s]);
}

function orderKey(ns: string, session: string, t: number, id: string): Uint8Array {
  const v = Math.floor(t) + TIME_OFFSET;
  const hi = Math.floor(v / 0x100000000), lo = v >>> 0;
  const time = [hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff];
  time.push((lo >>> 8) & 0xff, lo & 0xff);
  return concat([sessionPrefix(ns, session), time, encodeUtf8(id)]);
}

/** The key of a memory's link. */
export function linkKey(ns: string, id: string): Uint8Array {
  const prefix = nsPrefix(THREAD_TAG.link, ns);
  // One allocation for the usual ASCII id.
  const out = new Uint8Array(prefix.length + id.length);
  out.set(prefix);
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x80) return concat([prefix, encodeUtf8(id)]);
    out[prefix.length + i] = c;
  }
  return out;
}

function tailKey(ns: string, session: string): Uint8Array {
  return concat([nsPrefix(THREAD_TAG.tail, ns), enc.encode(session)]);
}

/** The key holding a namespace's thread index version. */
export function threadsVersionKey(ns: string): Uint8Array {
  return concat([[THREAD_TAG.version], enc.encode(ns)]);
}

/** Every key prefix of a namespace's thread index (to clear it). */
export function threadPrefixes(ns: string): Uint8Array[] {
  return [nsPrefix(THREAD_TAG.order, ns), nsPrefix(THREAD_TAG.link, ns), nsPrefix(THREAD_TAG.tail, ns)];
}

/**
 * Reads a memory's link from the store.
 *
 * @param db The store.
 * @param ns The namespace.
 * @param id The memory id.
 * @returns The link, or undefined for a memory outside any thread.
 */
export function readLink(db: T4DX, ns: string, id: string): Link | undefined {
  const v = db.get(linkKey(ns, id));
  return v ? JSON.parse(dec.decode(v)) as Link : undefined;
}

/**
 * The changes to a namespace's threads made by one write, over the store's current state: read links
 * through it, insert and remove memories, then add its operations to the write's batch.
 *
 * Concurrency: the caller holds the namespace's write lock from the first read to the write of the
 * batch, so no other change to the threads interleaves.
 *
 * @example Three memories in one session, the middle one stored last
 * ```ts
 * import { MemFs, T4DX } from "../../engine/mod.ts";
 * import { ThreadEdit } from "./threads.ts";
 * const db = await T4DX.open("/db", { fs: new MemFs() });
 * const edit = new ThreadEdit(db, "ns");
 * edit.insert("a", "s1", 1);
 * edit.insert("c", "s1", 3);
 * edit.insert("b", "s1", 2);
 * await db.write(edit.toBatch());
 * const b = new ThreadEdit(db, "ns").link("b");
 * if (b?.p !== "a" || b.n !== "c") throw new Error(JSON.stringify(b));
 * await db.close();
 * ```
 */
export class ThreadEdit {
  readonly #db: T4DX;
  readonly #ns: string;
  /** Changed links; null = deleted. */
  readonly #links = new Map<string, Link | null>();
  /** Changed tails; null = the session is empty. */
  readonly #tails = new Map<string, string | null>();
  /** Ids removed in this edit: their order keys in the store are stale. */
  readonly #removed = new Set<string>();
  /** Order keys inserted in this edit, by session. */
  readonly #inserted = new Map<string, { key: Uint8Array; id: string }[]>();
  readonly #orderDeletes: Uint8Array[] = [];

  constructor(db: T4DX, ns: string) {
    this.#db = db;
    this.#ns = ns;
  }

  /** The link of `id` as this edit leaves it. */
  link(id: string): Link | undefined {
    const l = this.#links.get(id);
    if (l !== undefined) return l ?? undefined;
    return readLink(this.#db, this.#ns, id);
  }

  #set(id: string, l: Link | null): void {
    this.#links.set(id, l);
  }

  #tail(session: string): string | undefined {
    const t = this.#tails.get(session);
    if (t !== undefined) return t ?? undefined;
    const v = this.#db.get(tailKey(this.#ns, session));
    return v ? dec.decode(v) : undefined;
  }

  /** The first memory after `key` in its session, counting this edit's inserts and removals. */
  #successor(session: string, key: Uint8Array): string | undefined {
    const prefix = sessionPrefix(this.#ns, session);
    let best: { key: Uint8Array; id: string } | undefined;
    const it = this.#db.iterator({ gt: key, prefix });
    try {
      for (; it.valid(); it.next()) {
        const k = it.key();
        const id = dec.decode(k.subarray(prefix.length + 8));
        if (this.#removed.has(id)) continue;
        best = { key: k, id };
        break;
      }
    } finally {
      it.close();
    }
    for (const x of this.#inserted.get(session) ?? []) {
      if (compareBytes(x.key, key) > 0 && (!best || compareBytes(x.key, best.key) < 0)) best = x;
    }
    return best?.id;
  }

  /**
   * Puts memory `id` into its session's thread, between the memories around (eventTime, id).
   *
   * REQUIRES: `id` is in no thread (never stored, or removed earlier in this edit).
   *
   * @param holders Memories whose context vectors hold this memory's text (kept across a replace).
   */
  insert(id: string, session: string, eventTime: number, holders?: readonly string[]): void {
    const key = orderKey(this.#ns, session, eventTime, id);
    const next = this.#successor(session, key);
    const prev = next === undefined ? this.#tail(session) : this.link(next)?.p;
    const l: Link = { s: session };
    if (prev !== undefined) {
      l.p = prev;
      this.#set(prev, { ...(this.link(prev) ?? { s: session }), n: id });
    }
    if (next !== undefined) {
      l.n = next;
      this.#set(next, { ...(this.link(next) ?? { s: session }), p: id });
    } else {
      this.#tails.set(session, id);
    }
    if (holders && holders.length > 0) l.h = [...holders];
    this.#set(id, l);
    let list = this.#inserted.get(session);
    if (!list) this.#inserted.set(session, list = []);
    list.push({ key, id });
  }

  /**
   * Takes memory `id` out of its thread, joining its neighbours, and drops it from the holders of the
   * memory in its context vector.
   *
   * @returns Its link before removal (the caller re-embeds `h` when the memory is forgotten), or
   * undefined when it was in no thread.
   */
  remove(id: string, eventTime: number): Link | undefined {
    const l = this.link(id);
    if (!l) return undefined;
    const { p, n } = l;
    if (p !== undefined) {
      const pl = { ...(this.link(p) ?? { s: l.s }) };
      if (n === undefined) delete pl.n;
      else pl.n = n;
      this.#set(p, pl);
    }
    if (n !== undefined) {
      const nl = { ...(this.link(n) ?? { s: l.s }) };
      if (p === undefined) delete nl.p;
      else nl.p = p;
      this.#set(n, nl);
    }
    if (this.#tail(l.s) === id) this.#tails.set(l.s, p ?? null);
    this.#setContext(id, l, undefined);
    this.#set(id, null);
    this.#removed.add(id);
    const pending = this.#inserted.get(l.s);
    const at = pending?.findIndex((x) => x.id === id) ?? -1;
    if (at >= 0) pending!.splice(at, 1);
    else this.#orderDeletes.push(orderKey(this.#ns, l.s, eventTime, id));
    return l;
  }

  /**
   * Records that memory `id`'s context vector now holds the text of `ctx` (or of no other memory), and
   * keeps the holder lists of the old and new context memories in step.
   */
  setContext(id: string, ctx: string | undefined): void {
    const l = this.link(id);
    if (l) this.#setContext(id, l, ctx);
  }

  #setContext(id: string, l: Link, ctx: string | undefined): void {
    if (l.c === ctx) return;
    if (l.c !== undefined) {
      const old = this.link(l.c);
      if (old?.h) {
        const h = old.h.filter((x) => x !== id);
        const o = { ...old };
        if (h.length > 0) o.h = h;
        else delete o.h;
        this.#set(l.c, o);
      }
    }
    const me = { ...(this.#links.get(id) ?? l) };
    if (ctx === undefined) delete me.c;
    else {
      me.c = ctx;
      const c = this.link(ctx);
      if (c) this.#set(ctx, { ...c, h: [...(c.h ?? []).filter((x) => x !== id), id] });
    }
    this.#set(id, me);
  }

  /** The ids whose links this edit changes: every link {@linkcode ThreadEdit.toBatch} writes or deletes. */
  changed(): string[] {
    return [...this.#links.keys()];
  }

  /** Adds this edit's operations to `batch` (a new one when absent) and returns it. */
  toBatch(batch: WriteBatch = new WriteBatch()): WriteBatch {
    for (const k of this.#orderDeletes) batch.delete(k);
    for (const list of this.#inserted.values()) for (const x of list) batch.put(x.key, new Uint8Array());
    for (const [id, l] of this.#links) {
      if (l === null) batch.delete(linkKey(this.#ns, id));
      else batch.put(linkKey(this.#ns, id), enc.encode(JSON.stringify(l)));
    }
    for (const [session, id] of this.#tails) {
      if (id === null) batch.delete(tailKey(this.#ns, session));
      else batch.put(tailKey(this.#ns, session), enc.encode(id));
    }
    return batch;
  }
}

/**
 * The operations that build a namespace's thread index from scratch, for a namespace written before the
 * index existed (or whose build was interrupted): order keys, links and tails of every memory that has a
 * session, then the version key. The caller clears {@linkcode threadPrefixes} first. Context vectors are
 * left as they are (no `c`, no `h`).
 *
 * @param ns The namespace.
 * @param memories Each memory's id, session and event time, in any order.
 * @returns One batch per 4096 memories; the last holds the version key.
 */
export function backfillBatches(
  ns: string,
  memories: Iterable<{ id: string; session: string; eventTime: number }>,
): WriteBatch[] {
  const bySession = new Map<string, { id: string; key: Uint8Array }[]>();
  for (const m of memories) {
    let list = bySession.get(m.session);
    if (!list) bySession.set(m.session, list = []);
    list.push({ id: m.id, key: orderKey(ns, m.session, m.eventTime, m.id) });
  }
  const out: WriteBatch[] = [];
  let batch = new WriteBatch();
  for (const [session, list] of bySession) {
    list.sort((a, b) => compareBytes(a.key, b.key));
    list.forEach((x, i) => {
      const l: Link = { s: session };
      if (i > 0) l.p = list[i - 1]!.id;
      if (i + 1 < list.length) l.n = list[i + 1]!.id;
      batch.put(x.key, new Uint8Array());
      batch.put(linkKey(ns, x.id), enc.encode(JSON.stringify(l)));
      if (batch.count >= 3 * 4096) out.push(batch), batch = new WriteBatch();
    });
    batch.put(tailKey(ns, session), enc.encode(list[list.length - 1]!.id));
  }
  batch.put(threadsVersionKey(ns), new Uint8Array([THREADS_VERSION]));
  out.push(batch);
  return out;
}
