import { MemFs, T4DX } from "../../engine/mod.ts";
import { LinkCache } from "./link_cache.ts";
import { linkKey, readLink, ThreadEdit } from "./threads.ts";

/** Each id's link as the cache gives it and as the store holds it, as `id:session/prev/next`. */
function render(db: T4DX, cache: LinkCache, ids: string[]): { cached: string; stored: string } {
  const show = (l: ReturnType<typeof readLink>, id: string) =>
    `${id}:${l ? `${l.s}/${l.p ?? ""}/${l.n ?? ""}` : "-"}`;
  return {
    cached: ids.map((id) => show(cache.get("ns", id), id)).join(" "),
    stored: ids.map((id) => show(readLink(db, "ns", id), id)).join(" "),
  };
}

Deno.test("LinkCache agrees with the store before, during and after a write that holds the links it changes", async () => {
  const db = await T4DX.open("/db", { fs: new MemFs() });
  const cache = new LinkCache(db);
  const first = new ThreadEdit(db, "ns");
  first.insert("a", "s1", 1);
  first.insert("c", "s1", 3);
  await db.write(first.toBatch());
  const ids = ["a", "b", "c"];
  const states: string[] = [];
  const check = (when: string) => {
    const r = render(db, cache, ids);
    if (r.cached !== r.stored) throw new Error(`${when}: cached ${r.cached}, stored ${r.stored}`);
    if (states.at(-1) !== r.cached) states.push(r.cached);
  };
  check("before"); // caches a, c and the absent b
  const edit = new ThreadEdit(db, "ns");
  edit.insert("b", "s1", 2); // changes a's next, c's previous and b
  cache.hold("ns", edit.changed());
  let done = false;
  const write = db.write(edit.toBatch()).then(() => done = true);
  for (let tick = 0; !done && tick < 10_000; tick++) {
    check(`tick ${tick}`);
    await Promise.resolve();
  }
  await write;
  cache.release("ns");
  check("after");
  const want = ["a:s1//c b:- c:s1/a/", "a:s1//b b:s1/a/c c:s1/b/"];
  if (JSON.stringify(states) !== JSON.stringify(want)) throw new Error(JSON.stringify(states));
  await db.close();
});

Deno.test("LinkCache keeps at most its limit of links per namespace, the newest", async () => {
  const db = await T4DX.open("/db", { fs: new MemFs() });
  const cache = new LinkCache(db, 2);
  for (const id of ["a", "b", "c"]) cache.get("ns", id); // all absent: cached as such
  await db.put(linkKey("ns", "a"), new TextEncoder().encode(JSON.stringify({ s: "s9" })));
  await db.put(linkKey("ns", "c"), new TextEncoder().encode(JSON.stringify({ s: "s9" })));
  // Written behind the cache's back (no hold), so only what it forgot is read afresh: "a", the oldest.
  const got = ["c", "b", "a"].map((id) => `${id}:${cache.get("ns", id)?.s ?? "-"}`).join(" ");
  if (got !== "c:- b:- a:s9") throw new Error(got);
  await db.close();
});
