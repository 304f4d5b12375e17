import { RecordCache } from "./record_cache.ts";
import { encodeRecord, type RecordView, viewRecord } from "./record_codec.ts";

/** A view of a record of `id` whose payload is `size` bytes, and the record's length. */
function record(id: string, size: number): { view: RecordView; bytes: number } {
  const data = encodeRecord({ id, eventTime: 1, recordTime: 1, validFrom: 1, payload: new Uint8Array(size) });
  return { view: viewRecord(id, data, "test"), bytes: data.byteLength };
}

/** What the cache charges for one entry of `r`. */
function charge(id: string, r: { view: RecordView; bytes: number }): number {
  const c = new RecordCache(1 << 20);
  c.set(id, r.view, r.bytes);
  return c.bytes;
}

function state(c: RecordCache, ids: string[]): string {
  return JSON.stringify({
    size: c.size,
    bytes: c.bytes,
    cached: ids.filter((id) => c.get(id) !== undefined),
  });
}

Deno.test("RecordCache keeps the most recently used records within its budget", () => {
  const one = charge("a", record("a", 300));
  const c = new RecordCache(3 * one);
  for (const id of ["a", "b", "c"]) {
    const r = record(id, 300);
    c.set(id, r.view, r.bytes);
  }
  c.get("a"); // now "b" is the least recently used
  const d = record("d", 300);
  c.set("d", d.view, d.bytes);
  const got = state(c, ["a", "b", "c", "d"]);
  if (got !== JSON.stringify({ size: 3, bytes: 3 * one, cached: ["a", "c", "d"] })) throw new Error(got);
});

Deno.test("RecordCache replaces an entry in place and refuses one larger than its budget", () => {
  const c = new RecordCache(2000);
  const small = record("a", 10), other = record("a", 20), huge = record("b", 2000);
  c.set("a", small.view, small.bytes);
  c.set("a", other.view, other.bytes);
  c.set("b", huge.view, huge.bytes);
  const got = state(c, ["a", "b"]);
  if (
    c.get("a") !== other.view || got !== JSON.stringify({ size: 1, bytes: charge("a", other), cached: ["a"] })
  ) {
    throw new Error(got);
  }
});

Deno.test("RecordCache neither returns nor stores a held id until released", () => {
  const c = new RecordCache(1 << 20);
  const a = record("a", 10), b = record("b", 10);
  c.set("a", a.view, a.bytes);
  c.set("b", b.view, b.bytes);
  c.hold(["a", "x"]);
  c.set("a", a.view, a.bytes); // a reader that went to the store while a write was in flight
  c.set("x", a.view, a.bytes);
  const during = state(c, ["a", "b", "x"]);
  c.release();
  const after = state(c, ["a", "b", "x"]);
  c.set("a", a.view, a.bytes);
  const again = state(c, ["a", "b", "x"]);
  const want = [["b"], ["b"], ["a", "b"]].map((cached) =>
    JSON.stringify({ size: cached.length, bytes: cached.length * charge("a", a), cached })
  );
  if (JSON.stringify([during, after, again]) !== JSON.stringify(want)) {
    throw new Error(`during ${during}, after ${after}, again ${again}`);
  }
});

Deno.test("RecordCache with a budget of 0 caches nothing", () => {
  const c = new RecordCache(0);
  const a = record("a", 1);
  c.set("a", a.view, a.bytes);
  c.hold(["a"]);
  c.release();
  if (c.get("a") !== undefined || c.size !== 0 || c.bytes !== 0) throw new Error(state(c, ["a"]));
});
