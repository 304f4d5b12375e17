/**
 * One term's cached postings (lexical_index.ts) as growable columns in id order, patched in place by the
 * writes that touch the term instead of being read again from the store.
 *
 * Readers get views of the first `length` entries ({@linkcode PostingsList.view}) and keep them while a
 * later write patches the list, so a patch never changes an entry a view can see: new ids past the last
 * one are appended into spare room (views stop before it); anything else (a removal, a replaced tf, an id
 * in the middle) builds fresh columns.
 *
 * @module
 */
import { compareIds, type IdTable } from "./_postings_eval.ts";

/** A change to one record's posting of a term: tf 0 removes it. */
export interface PostingChange {
  id: string;
  tf: number;
  docLen: number;
}

/** The columns a query reads: record numbers (in the index's id table), tfs and lengths, in id order. */
export interface PostingsView {
  docs: Int32Array;
  tfs: Float64Array;
  lens: Float64Array;
}

/**
 * A term's postings, owned by the index's cache.
 *
 * INVARIANT: entries `[0, length)` are in ascending id byte order with no id twice; no view handed out
 * reaches past `length` of the columns it was cut from, and entries below a view's end are never written.
 */
export class PostingsList {
  #docs: Int32Array;
  #tfs: Float64Array;
  #lens: Float64Array;
  #length: number;

  /** Takes columns read from the store (in id order) as they are; they must not be written elsewhere. */
  constructor(view: PostingsView) {
    this.#docs = view.docs;
    this.#tfs = view.tfs;
    this.#lens = view.lens;
    this.#length = view.docs.length;
  }

  /** Entries held. */
  get length(): number {
    return this.#length;
  }

  /** Estimated RAM, for the cache's budget. */
  get bytes(): number {
    return 64 + 20 * this.#docs.length;
  }

  /** The entries as they are now; later patches do not change what it shows. */
  view(): PostingsView {
    const n = this.#length;
    return {
      docs: this.#docs.subarray(0, n),
      tfs: this.#tfs.subarray(0, n),
      lens: this.#lens.subarray(0, n),
    };
  }

  /**
   * Applies one written batch's changes to this term, in the order they were made (a later change of an
   * id wins). Idempotent: applying changes the list already holds leaves it as it is, so a list read from
   * the store while the batch was being written may or may not hold them.
   *
   * @param changes The batch's changes of this term.
   * @param table The id table the list's numbers refer to; new ids get numbers there.
   */
  patch(changes: readonly PostingChange[], table: IdTable): void {
    const last = new Map<string, PostingChange>();
    for (const c of changes) last.set(c.id, c);
    const final = [...last.values()].sort((a, b) => compareIds(a.id, b.id));
    const n = this.#length;
    const tail = n === 0 ? undefined : table.ids[this.#docs[n - 1]!]!;
    if (final.every((c) => c.tf > 0) && (tail === undefined || compareIds(final[0]!.id, tail) > 0)) {
      this.#append(final, table); // the usual case: new records, whose ids sort after every older one
      return;
    }
    this.#rebuild(final, table);
  }

  #append(adds: PostingChange[], table: IdTable): void {
    const n = this.#length, need = n + adds.length;
    if (need > this.#docs.length) {
      const cap = Math.max(need, Math.ceil(this.#docs.length * 1.5), 16);
      this.#docs = grow(this.#docs, new Int32Array(cap), n);
      this.#tfs = grow(this.#tfs, new Float64Array(cap), n);
      this.#lens = grow(this.#lens, new Float64Array(cap), n);
    }
    for (let i = 0; i < adds.length; i++) {
      const c = adds[i]!;
      this.#docs[n + i] = table.number(c.id);
      this.#tfs[n + i] = c.tf;
      this.#lens[n + i] = c.docLen;
    }
    this.#length = need;
  }

  /** Merges the sorted changes with the entries into fresh columns (views keep the old ones). */
  #rebuild(final: PostingChange[], table: IdTable): void {
    const n = this.#length;
    const cap = n + final.length;
    const docs = new Int32Array(cap), tfs = new Float64Array(cap), lens = new Float64Array(cap);
    let out = 0, i = 0;
    const keep = (j: number) => {
      docs[out] = this.#docs[j]!;
      tfs[out] = this.#tfs[j]!;
      lens[out++] = this.#lens[j]!;
    };
    for (const c of final) {
      while (i < n && compareIds(table.ids[this.#docs[i]!]!, c.id) < 0) keep(i++);
      if (i < n && table.ids[this.#docs[i]!] === c.id) i++; // replaced or removed
      if (c.tf > 0) {
        docs[out] = table.number(c.id);
        tfs[out] = c.tf;
        lens[out++] = c.docLen;
      }
    }
    while (i < n) keep(i++);
    this.#docs = docs;
    this.#tfs = tfs;
    this.#lens = lens;
    this.#length = out;
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T, n: number): T {
  to.set(from.subarray(0, n));
  return to;
}
