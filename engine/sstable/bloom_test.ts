import { isCorruption } from "../errors.ts";
import { BloomFilter } from "./bloom.ts";

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` distinct keys: a 4-byte big-endian counter plus random padding, as user keys often look. */
function keys(n: number, first: number, rng: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const k = new Uint8Array(4 + Math.floor(rng() * 12));
    new DataView(k.buffer).setUint32(0, first + i);
    for (let j = 4; j < k.length; j++) k[j] = 97 + (j % 3);
    out.push(k);
  }
  return out;
}

function falsePositiveRate(bitsPerKey: number, n: number, seed: number): number {
  const rng = mulberry32(seed);
  const present = keys(n, 0, rng);
  const f = new BloomFilter(BloomFilter.build(present.map((k) => BloomFilter.hash(k)), bitsPerKey));
  for (const k of present) if (!f.mayContain(k)) throw new Error(`false negative at ${bitsPerKey} bits/key`);
  const absent = keys(10_000, 1_000_000, rng);
  return absent.filter((k) => f.mayContain(k)).length / absent.length;
}

Deno.test("BloomFilter has no false negatives and under 2% false positives at 10 bits per key", () => {
  for (const seed of [1, 2, 3]) {
    const rate = falsePositiveRate(10, 10_000, seed);
    if (rate >= 0.02) throw new Error(`seed ${seed}: false-positive rate ${rate}`);
  }
});

Deno.test("BloomFilter false-positive rate stays within 1.3x of theory from 4 to 16 bits per key", () => {
  const lines: string[] = [];
  let ok = true;
  for (const bits of [4, 8, 10, 16]) {
    const k = Math.round(bits * Math.LN2);
    const theory = (1 - Math.exp(-k / bits)) ** k;
    const rate = falsePositiveRate(bits, 20_000, bits);
    lines.push(`${bits} bits/key: measured ${rate}, theory ${theory.toFixed(4)}`);
    if (rate > theory * 1.3 + 0.0005) ok = false;
  }
  if (!ok) throw new Error(lines.join("\n"));
});

Deno.test("BloomFilter keeps every key of tiny filters", () => {
  const rng = mulberry32(5);
  for (const n of [1, 2, 3, 7, 50]) {
    const ks = keys(n, 77, rng);
    const block = BloomFilter.build(ks.map((k) => BloomFilter.hash(k)), 10);
    if (block.length !== Math.ceil(Math.max(64, n * 10) / 8) + 1) {
      throw new Error(`n=${n}: ${block.length} bytes`);
    }
    const f = new BloomFilter(block);
    if (f.probes !== 7 || !ks.every((k) => f.mayContain(k))) throw new Error(`n=${n}: lost a key`);
  }
  const empty = new BloomFilter(BloomFilter.build([], 10));
  if (empty.mayContain(new Uint8Array([1]))) throw new Error("an empty filter matched");
});

Deno.test("BloomFilter with 0 bits per key matches everything", () => {
  const f = new BloomFilter(BloomFilter.build([1, 2, 3], 0));
  if (f.probes !== 0 || !f.mayContain(new Uint8Array([9, 9]))) {
    throw new Error("a no-op filter rejected a key");
  }
});

Deno.test("BloomFilter rejects an empty block, a probe count above 30 and a probe count without bits", async (t) => {
  for (const [name, block] of [["empty", []], ["k = 31", [0xff, 31]], ["no bits", [7]]] as const) {
    await t.step(name, () => {
      try {
        new BloomFilter(new Uint8Array(block));
      } catch (e) {
        if (isCorruption(e)) return;
        throw e;
      }
      throw new Error(`${name} was accepted`);
    });
  }
});

Deno.test("BloomFilter.build() sets the same bits as when the format was fixed", () => {
  const enc = new TextEncoder();
  const block = BloomFilter.build(["apple", "banana"].map((s) => BloomFilter.hash(enc.encode(s))), 10);
  const got = Array.from(block, (b) => b.toString(16).padStart(2, "0")).join(" ");
  if (got !== "03 02 60 64 20 20 10 13 07") throw new Error(`filter bits changed: ${got}`);
});

Deno.test("BloomFilter.hash() is murmur3_32 with the on-disk seed and never changes", () => {
  const enc = new TextEncoder();
  const golden: [string, number][] = [
    ["", 0x3f177186],
    ["a", 0x6dba6b55],
    ["ab", 0x424bf1b6],
    ["abc", 0x3445203e],
    ["abcd", 0x3bf97d00],
    ["hello world", 0xdeb0dc74],
  ];
  const got = golden.map(([s]) => [s, BloomFilter.hash(enc.encode(s))]);
  if (JSON.stringify(got) !== JSON.stringify(golden)) {
    throw new Error(`hashes changed: ${JSON.stringify(got)}`);
  }
});
