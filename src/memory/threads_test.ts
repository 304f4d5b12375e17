import { MemFs, T4DX } from "../../engine/mod.ts";
import { mulberry32 } from "../../engine/util/rng.ts";
import { readLink, THREAD_TAG, ThreadEdit } from "./threads.ts";

/** Renders every thread from the store by following links from the tails, and checks both directions. */
function render(db: T4DX, ns: string, sessions: string[]): string {
  const out: string[] = [];
  for (const s of sessions) {
    const tail = db.get(new Uint8Array([THREAD_TAG.tail, ...new TextEncoder().encode(`${ns}\0${s}`)]));
    const ids: string[] = [];
    let at = tail ? new TextDecoder().decode(tail) : undefined;
    let guard = 0;
    while (at !== undefined && guard++ < 10_000) {
      ids.unshift(at);
      const l = readLink(db, ns, at)!;
      if (l.s !== s) ids.unshift(`!session(${l.s})`);
      if (l.p !== undefined && readLink(db, ns, l.p)?.n !== at) ids.unshift(`!next-of-${l.p}`);
      at = l.p;
    }
    out.push(`${s}: ${ids.join(" ")}`);
  }
  return out.join("\n");
}

Deno.test("ThreadEdit keeps every session's links in (time, id) order across batched inserts, removals and re-inserts", async () => {
  const db = await T4DX.open("/db", { fs: new MemFs() });
  const rng = mulberry32(7);
  const sessions = ["s1", "s2", "a\0b", "a"]; // "a" must not see "a\0b"'s memories
  const model = new Map<string, { s: string; t: number }>();
  for (let step = 0; step < 60; step++) {
    const edit = new ThreadEdit(db, "ns");
    const touched = new Set<string>();
    for (let op = 0; op < 1 + Math.floor(rng() * 6); op++) {
      const id = `m${Math.floor(rng() * 40)}`;
      if (touched.has(id) && rng() < 0.5) continue;
      const old = model.get(id);
      if (old) {
        edit.remove(id, old.t);
        model.delete(id);
      }
      if (!old || rng() < 0.6) {
        const m = { s: sessions[Math.floor(rng() * sessions.length)]!, t: Math.floor(rng() * 5) };
        edit.insert(id, m.s, m.t);
        model.set(id, m);
      }
      touched.add(id);
    }
    await db.write(edit.toBatch());
    const want = sessions.map((s) => {
      const ids = [...model].filter(([, m]) => m.s === s)
        .sort(([a, x], [b, y]) => x.t - y.t || (a < b ? -1 : 1)).map(([id]) => id);
      return `${s}: ${ids.join(" ")}`;
    }).join("\n");
    const got = render(db, "ns", sessions);
    if (got !== want) throw new Error(`step ${step}\nwant:\n${want}\ngot:\n${got}`);
  }
  await db.close();
});

Deno.test("ThreadEdit keeps context holders in step, and a removal hands them back", async () => {
  const db = await T4DX.open("/db", { fs: new MemFs() });
  const edit = new ThreadEdit(db, "ns");
  for (const [id, t] of [["a", 1], ["b", 2], ["c", 3]] as const) edit.insert(id, "s", t);
  edit.setContext("b", "a");
  edit.setContext("c", "b");
  await db.write(edit.toBatch());
  const e2 = new ThreadEdit(db, "ns");
  const removed = e2.remove("b", 2);
  e2.setContext("c", e2.link("c")!.p);
  await db.write(e2.toBatch());
  const state = JSON.stringify({ removed, a: readLink(db, "ns", "a"), c: readLink(db, "ns", "c") });
  const a = readLink(db, "ns", "a")!, c = readLink(db, "ns", "c")!;
  if (
    removed?.h?.join() !== "c" || removed.c !== "a" || a.n !== "c" || a.h?.join() !== "c" || c.p !== "a" ||
    c.c !== "a" || readLink(db, "ns", "b")
  ) {
    throw new Error(state);
  }
  await db.close();
});
