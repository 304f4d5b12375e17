/**
 * The storage of `SkipListMemtable`: nodes as parallel typed arrays, so that an insert
 * allocates no node object and a comparison reads two arrays instead of chasing three objects. Node `n`
 * has its key bytes at `keyBytes[keyStart[n] .. keyStart[n + 1])` (keys are copied in, in insertion
 * order), its value in `values[n]` (kept by reference), its seq in `seqs[n]`, its type in `types[n]` and
 * its `height` forward links at `links[base[n] .. base[n] + height)`. Node 0 is the head; a link of 0
 * means "none", since the head is nobody's successor. Nothing is ever moved or overwritten (a full array
 * is replaced by a larger copy), so an iterator holding a node index stays valid and a key view stays
 * correct forever.
 *
 * @module
 */
/** Tallest node; with p = 1/4 this suits up to 4^12 (16M) entries. */
export const MAX_HEIGHT = 12;
/** Bytes charged per entry besides key and value: seq, type, links, offsets, the value reference. */
export const ENTRY_OVERHEAD = 40;
/** Node 0, the head. */
export const HEAD = 0;

/** Node storage of one skiplist. Concurrency: one writer; readers between writes. */
export class Arena {
  values: Uint8Array[] = [new Uint8Array(0)];
  keyBytes = new Uint8Array(4096);
  /** One more slot than nodes: `keyStart[nodes]` is where the next key goes. */
  keyStart = new Int32Array(257);
  seqs = new Float64Array(256);
  types = new Uint8Array(256);
  base = new Int32Array(256);
  links = new Int32Array(1024);
  linksUsed = MAX_HEIGHT;
  /** Nodes including the head. */
  nodes = 1;
  /** Levels in use, 1..MAX_HEIGHT. */
  height = 1;
  bytes = 0;

  /** Node `n` versus `(key, seq)` in internal order. */
  compare(n: number, key: Uint8Array, seq: number): number {
    const buf = this.keyBytes, off = this.keyStart[n]!, len = this.keyStart[n + 1]! - off, kl = key.length;
    const m = len < kl ? len : kl;
    for (let i = 0; i < m; i++) {
      const d = buf[off + i]! - key[i]!;
      if (d !== 0) return d;
    }
    if (len !== kl) return len - kl;
    const s = this.seqs[n]!;
    return s > seq ? -1 : s < seq ? 1 : 0;
  }

  /** A view of node `n`'s key; valid forever, since key bytes are never overwritten. */
  keyAt(n: number): Uint8Array {
    return this.keyBytes.subarray(this.keyStart[n]!, this.keyStart[n + 1]!);
  }

  /** The first node at or after `(key, seq)`, or 0; fills `prev` with the predecessor at each level. */
  findGreaterOrEqual(key: Uint8Array, seq: number, prev: Int32Array | undefined): number {
    const links = this.links, base = this.base;
    let x = HEAD;
    let level = this.height - 1;
    let known = 0; // a node already found to be >= target, skipped when met again one level down
    for (;;) {
      const nx = links[base[x]! + level]!;
      if (nx !== 0 && nx !== known && this.compare(nx, key, seq) < 0) {
        x = nx;
        continue;
      }
      known = nx;
      if (prev !== undefined) prev[level] = x;
      if (level === 0) return nx;
      level--;
    }
  }

  /** Makes room for `nodes` nodes, `links` links and `keyBytes` key bytes. */
  grow(nodes: number, links: number, keyBytes: number): void {
    if (nodes > this.seqs.length) {
      const cap = this.seqs.length * 2;
      this.seqs = copyInto(new Float64Array(cap), this.seqs);
      this.types = copyInto(new Uint8Array(cap), this.types);
      this.base = copyInto(new Int32Array(cap), this.base);
      this.keyStart = copyInto(new Int32Array(cap + 1), this.keyStart);
    }
    if (links > this.links.length) this.links = copyInto(new Int32Array(this.links.length * 2), this.links);
    if (keyBytes > this.keyBytes.length) {
      this.keyBytes = copyInto(new Uint8Array(Math.max(keyBytes, this.keyBytes.length * 2)), this.keyBytes);
    }
  }
}

function copyInto<T extends Uint8Array | Int32Array | Float64Array>(to: T, from: T): T {
  to.set(from as ArrayLike<number>);
  return to;
}
