import { isInvalidArgument } from "../errors.ts";
import { compareInternal, type InternalEntry, MAX_SEQ, TYPE_DELETE, TYPE_VALUE } from "../keys.ts";
import { mulberry32 } from "../util/rng.ts";
import { ArrayIterator } from "./array_iterator.ts";

const show = (e: InternalEntry) => `${e.key.join(".")}@${e.seq}${e.type === TYPE_VALUE ? "" : "x"}`;

Deno.test("ArrayIterator.fromUnsorted() scans in internal order and seeks to the lower bound", () => {
  const rng = mulberry32(11);
  const entries: InternalEntry[] = [];
  for (let i = 0; i < 500; i++) {
    const key = new Uint8Array(Math.floor(rng() * 3)).map(() => Math.floor(rng() * 3));
    entries.push({ key, seq: i + 1, type: rng() < 0.3 ? TYPE_DELETE : TYPE_VALUE, value: new Uint8Array() });
  }
  const sorted = entries.slice().sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq));
  const it = ArrayIterator.fromUnsorted(entries);
  if (it.valid()) throw new Error("a new iterator is positioned");
  const scan: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) {
    scan.push(show({ key: it.key(), seq: it.seq(), type: it.type(), value: it.value() }));
  }
  if (scan.join(" ") !== sorted.map(show).join(" ")) throw new Error(`scan out of order: ${scan.join(" ")}`);
  for (let i = 0; i < 300; i++) {
    const key = new Uint8Array(Math.floor(rng() * 4)).map(() => Math.floor(rng() * 3));
    const seq = i % 3 === 0 ? MAX_SEQ : Math.floor(rng() * 502);
    it.seek(key, seq);
    const at = sorted.findIndex((e) => compareInternal(e.key, e.seq, key, seq) >= 0);
    const got = it.valid() ? `${it.key().join(".")}@${it.seq()}` : "end";
    const want = at < 0 ? "end" : `${sorted[at]!.key.join(".")}@${sorted[at]!.seq}`;
    if (got !== want) throw new Error(`seek(${key.join(".")}, ${seq}) = ${got}, want ${want}`);
  }
});

Deno.test("ArrayIterator refuses next() past the end", () => {
  const it = new ArrayIterator([{
    key: new Uint8Array([1]),
    seq: 1,
    type: TYPE_VALUE,
    value: new Uint8Array(),
  }]);
  it.seekToFirst();
  it.next();
  let err: unknown;
  try {
    it.next();
  } catch (e) {
    err = e;
  }
  if (it.valid() || !isInvalidArgument(err)) throw new Error(`valid ${it.valid()}, error ${err}`);
});
