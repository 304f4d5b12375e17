import { CachedEmbedder } from "../../cortex/cached_embedder.ts";
import { UseEmbedder } from "../../cortex/use_embedder.ts";
import { MemoryError } from "./errors.ts";
import { T4DM } from "./t4dm.ts";

const embedder = new CachedEmbedder(await UseEmbedder.load());
let tick = Date.UTC(2024, 0, 1);
const clock = () => tick++;

async function withStore(fn: (mem: T4DM, path: string) => Promise<void>): Promise<void> {
  const path = Deno.makeTempDirSync({ prefix: "t4dm-test-" });
  const mem = await T4DM.open({ path, embedder, clock });
  try {
    await fn(mem, path);
  } finally {
    await mem.close();
    Deno.removeSync(path, { recursive: true });
  }
}

Deno.test("T4DM stores memories and recalls them by meaning, by words and by time, on real files", async () => {
  await withStore(async (mem) => {
    await mem.storeMany([
      {
        content: "Ada prefers green tea over coffee in the morning",
        actor: "ada",
        eventTime: "2023-05-08T10:00:00Z",
      },
      { content: "The quarterly report is due on Friday", actor: "bob", eventTime: "2023-06-02T09:00:00Z" },
      { content: "Ada adopted a grey cat named Pixel", actor: "ada", eventTime: "2023-07-20T18:00:00Z" },
      {
        content: "Bob went hiking in the Alps with his brother",
        actor: "bob",
        eventTime: "2023-05-21T07:00:00Z",
      },
    ]);
    const top = async (q: Parameters<T4DM["recall"]>[0]) => (await mem.recall(q))[0]?.memory.content ?? "";
    const meaning = await top({ query: "what does Ada like to drink?" });
    if (!meaning.includes("tea")) throw new Error(`meaning: ${meaning}`);
    const words = await top({ query: "Pixel" });
    if (!words.includes("Pixel")) throw new Error(`words: ${words}`);
    const inMay = await mem.recall({
      query: "what happened",
      when: "in May 2023",
      now: "2023-08-01T00:00:00Z",
    });
    const got = inMay.map((r) => r.memory.content).sort();
    if (got.length !== 2 || !got[0]!.includes("Ada prefers") || !got[1]!.includes("hiking")) {
      throw new Error(`window: ${JSON.stringify(got)}`);
    }
    const explained = await mem.recall({ query: "grey cat", explain: true, k: 1 });
    const e = explained[0]!.explain!;
    if (e.vectorRank === undefined || e.lexicalRank === undefined || !(e.total > 0)) {
      throw new Error(`explain: ${JSON.stringify(e)}`);
    }
  });
});

Deno.test("update keeps history, invalidate hides a memory except asOf, forget erases it from every index", async () => {
  await withStore(async (mem, path) => {
    const m = await mem.store({ content: "Carol lives in Lisbon", eventTime: "2022-01-01T00:00:00Z" });
    const u = await mem.update(m.id, { content: "Carol lives in Porto" });
    if (u.version !== 2) throw new Error(`version ${u.version}`);
    const h = await mem.history(m.id);
    if (h.map((x) => x.content).join("|") !== "Carol lives in Lisbon|Carol lives in Porto") {
      throw new Error(`history ${JSON.stringify(h.map((x) => x.content))}`);
    }
    await mem.invalidate(m.id, { at: "2023-01-01T00:00:00Z" });
    const now = "2024-01-01T00:00:00Z";
    if ((await mem.recall({ query: "where does Carol live", now })).length !== 0) {
      throw new Error("invalid memory recalled");
    }
    const asOf = await mem.recall({ query: "where does Carol live", now, asOf: "2022-06-01T00:00:00Z" });
    if (asOf[0]?.memory.id !== m.id) throw new Error("asOf did not find the memory");
    if (!(await mem.forget(m.id))) throw new Error("forget found nothing");
    const after = await mem.recall({ query: "Carol Porto Lisbon", now, asOf: "2022-06-01T00:00:00Z" });
    if (after.length || (await mem.get(m.id)) || (await mem.history(m.id)).length) {
      throw new Error("ghost after forget");
    }
    await mem.close();
    const again = await T4DM.open({ path, embedder, clock });
    const ghost = await again.recall({ query: "Carol Porto Lisbon", asOf: "2022-06-01T00:00:00Z" });
    await again.close();
    if (ghost.length) throw new Error("ghost after reopen");
  });
});

Deno.test("recall sees every update, feedback, invalidate and forget of memories an earlier recall read", async () => {
  await withStore(async (mem) => {
    const [a, b] = await mem.storeMany([
      { content: "Kai repaired the red bicycle", session: "s", eventTime: "2023-03-01T10:00:00Z" },
      { content: "Kai painted the bicycle blue", session: "s", eventTime: "2023-03-02T10:00:00Z" },
      { content: "Lena baked bread", session: "t", eventTime: "2023-03-03T10:00:00Z" },
    ]);
    const now = "2024-01-01T00:00:00Z";
    const recall = async () => {
      const got = await mem.recall({ query: "Kai bicycle", now });
      return got.map((r) => `${r.memory.content} (${r.memory.importance}, v${r.memory.version})`).sort()
        .join(" | ");
    };
    const states = [await recall()]; // reads, and caches, every record above
    await mem.update(a!.id, { content: "Kai sold the red bicycle" });
    states.push(await recall());
    await mem.feedback(b!.id, true);
    states.push(await recall());
    await mem.invalidate(a!.id, { at: "2023-06-01T00:00:00Z" });
    states.push(await recall());
    await mem.forget(b!.id);
    states.push(await recall());
    const want = [
      "Kai painted the bicycle blue (0.5, v1) | Kai repaired the red bicycle (0.5, v1) | Lena baked bread (0.5, v1)",
      "Kai painted the bicycle blue (0.5, v1) | Kai sold the red bicycle (0.5, v2) | Lena baked bread (0.5, v1)",
      "Kai painted the bicycle blue (0.6, v1) | Kai sold the red bicycle (0.5, v2) | Lena baked bread (0.5, v1)",
      "Kai painted the bicycle blue (0.6, v1) | Lena baked bread (0.5, v1)",
      "Lena baked bread (0.5, v1)",
    ];
    if (JSON.stringify(states) !== JSON.stringify(want)) throw new Error(JSON.stringify(states, null, 1));
    if ((await mem.get(b!.id)) !== undefined) throw new Error("a forgotten memory is still read");
  });
});

Deno.test("namespaces never see each other's memories", async () => {
  await withStore(async (mem) => {
    await mem.store({ content: "the launch code is tulip", namespace: "alice" });
    const b = await mem.recall({ query: "launch code tulip", namespace: "bob" });
    const a = await mem.recall({ query: "launch code tulip", namespace: "alice" });
    if (b.length !== 0 || a.length !== 1) throw new Error(`alice ${a.length}, bob ${b.length}`);
  });
});

Deno.test("bad input gets an error naming the field and stores nothing", async () => {
  await withStore(async (mem) => {
    const cases: [unknown, string][] = [
      [{ content: "" }, "content"],
      [{ content: "x", importance: 2 }, "importance"],
      [{ content: "x", eventTime: "not a date" }, "eventTime"],
      [{ content: "x", colour: "red" }, "colour"],
      [{ content: "x", namespace: "a/b" }, "namespace"],
    ];
    for (const [input, field] of cases) {
      try {
        await mem.storeMany([{ content: "fine" }, input as { content: string }]);
        throw new Error(`accepted ${JSON.stringify(input)}`);
      } catch (e) {
        if (!(e instanceof MemoryError) || e.code !== "VALIDATION" || !e.message.includes(`"${field}`)) {
          throw e;
        }
      }
    }
    if ((await mem.stats()).namespaces.default?.memories) {
      throw new Error("a rejected batch stored something");
    }
  });
});

Deno.test("export then import reproduces the memories in another store", async () => {
  await withStore(async (mem) => {
    for (let i = 0; i < 30; i++) {
      await mem.store({ content: `note number ${i} about topic ${i % 5}`, tags: [`t${i % 3}`] });
    }
    const lines: string[] = [];
    for await (const l of mem.export()) lines.push(l);
    await withStore(async (other) => {
      const res = await other.import([...lines, "{not json", JSON.stringify({ content: "" })]);
      if (res.imported !== 30 || res.failed.length !== 2) throw new Error(JSON.stringify(res));
      const a = JSON.parse(lines[7]!);
      const b = await other.get(a.id);
      if (!b || b.content !== a.content || b.tags.join() !== a.tags.join()) throw new Error(`lost ${a.id}`);
    });
  });
});

Deno.test("a refused update or invalidate leaves no history entry, and reads never create a namespace", async () => {
  await withStore(async (mem) => {
    const m = await mem.store({ content: "Dana plays the cello" });
    const refused = async (fn: () => Promise<unknown>, field: string) => {
      try {
        await fn();
        throw new Error("accepted");
      } catch (e) {
        if (!(e instanceof MemoryError) || e.code !== "VALIDATION" || !e.message.includes(field)) throw e;
      }
    };
    await refused(() => mem.invalidate(m.id, { at: "garbage" }), "(root)");
    await refused(() => mem.update(m.id, {}), "patch");
    await refused(() => mem.get(m.id, { namespace: "a/b" }), "(root)");
    const h = await mem.history(m.id);
    if (h.length !== 1 || h[0]!.version !== 1) {
      throw new Error(`history ${JSON.stringify(h.map((x) => x.version))}`);
    }
    await mem.get("x", { namespace: "typo-ns" });
    await mem.recall({ query: "anything", namespace: "typo-ns" });
    if ("typo-ns" in (await mem.stats()).namespaces) throw new Error("a read created a namespace");
  });
});

Deno.test("feedback moves importance by the step, clamped, and concurrent feedback all counts", async () => {
  await withStore(async (mem) => {
    const m = await mem.store({ content: "Erin keeps bees", importance: 0.5 });
    await Promise.all([mem.feedback(m.id, true), mem.feedback(m.id, true), mem.feedback(m.id, true)]);
    const up = (await mem.get(m.id))!.importance;
    if (Math.abs(up - 0.8) > 1e-9) throw new Error(`importance after 3 useful: ${up}`);
    for (let i = 0; i < 12; i++) await mem.feedback(m.id, false);
    if ((await mem.get(m.id))!.importance !== 0) throw new Error("importance not clamped at 0");
    if ((await mem.history(m.id)).length !== 1) throw new Error("feedback created versions");
  });
});

Deno.test("concurrent stores in one namespace all land, in call order for a repeated id, and one bad call fails alone", async () => {
  await withStore(async (mem) => {
    const calls = Array.from({ length: 30 }, (_, i) =>
      mem.store({
        content: `Gus logged hike number ${i} on the ridge`,
        session: "hikes",
        eventTime: 1_000_000 + i * 60_000,
      }));
    const first = mem.store({ id: "fixed-id", content: "first version of the note" });
    const bad = mem.store({ content: "no importance above one", importance: 7 }).then(
      () => "stored",
      (e) => e instanceof MemoryError ? e.code : String(e),
    );
    const second = mem.storeMany([{ id: "fixed-id", content: "second version of the note" }]);
    const stored = await Promise.all(calls);
    await Promise.all([first, second]);
    if ((await bad) !== "VALIDATION") throw new Error(`bad call: ${await bad}`);
    for (const m of stored) {
      if ((await mem.get(m.id))?.content !== m.content) throw new Error(`lost ${m.content}`);
    }
    if ((await mem.get("fixed-id"))?.content !== "second version of the note") {
      throw new Error("a later store of the same id did not win");
    }
    const count = (await mem.stats()).namespaces["default"]?.memories;
    if (count !== 31) throw new Error(`expected 31 memories, stats says ${count}`);
    const hits = await mem.recall({ query: "hike number 17 on the ridge", k: 3 });
    if (hits[0]?.memory.content !== "Gus logged hike number 17 on the ridge") {
      throw new Error(`recall after concurrent stores: ${hits.map((h) => h.memory.content).join(" | ")}`);
    }
  });
});

Deno.test("embedWorkers embeds on a worker pool with the same vectors, and close() stops it", async () => {
  const path = Deno.makeTempDirSync({ prefix: "t4dm-test-" });
  try {
    const mem = await T4DM.open({ path, embedWorkers: 1, clock });
    try {
      await mem.storeMany([
        { content: "Hana repaired the greenhouse roof" },
        { content: "Ivo bought a train ticket to Vienna" },
      ]);
      const top = (await mem.recall({ query: "who fixed the greenhouse?", k: 1 }))[0]?.memory.content;
      if (top !== "Hana repaired the greenhouse roof") throw new Error(`top: ${top}`);
      const [a] = await mem.embedder.embed(["Ivo bought a train ticket to Vienna"]);
      const [b] = await embedder.embed(["Ivo bought a train ticket to Vienna"]);
      const diff = a!.reduce((m, v, i) => Math.max(m, Math.abs(v - b![i]!)), 0);
      if (!(diff < 1e-5)) throw new Error(`worker vector differs from in-thread vector by ${diff}`);
    } finally {
      await mem.close();
    }
    await mem.embedder.embed(["after close"]).then(
      () => {
        throw new Error("the pool still embeds after close()");
      },
      () => {},
    );
  } finally {
    Deno.removeSync(path, { recursive: true });
  }
});
