import { type MemoryFacts, rankHybrid } from "./hybrid_ranker.ts";
import { expectEqual } from "./_test_util.ts";

/** s1: a b c (May 2023), s2: d e (August 2023). */
const FACTS: Record<string, MemoryFacts> = {
  a: { thread: "s1", next: "b", eventTime: Date.UTC(2023, 4, 8) },
  b: { thread: "s1", prev: "a", next: "c", eventTime: Date.UTC(2023, 4, 8) },
  c: { thread: "s1", prev: "b", eventTime: Date.UTC(2023, 4, 8) },
  d: { thread: "s2", next: "e", eventTime: Date.UTC(2023, 7, 1) },
  e: { thread: "s2", prev: "d", eventTime: Date.UTC(2023, 7, 1) },
};
const facts = (id: string) => FACTS[id];
const OFF = { contextWeight: 0, threadWeight: 0, timeWeight: 0 };

Deno.test("rankHybrid() with re-ranking off is the weighted sum of min-max scores", () => {
  const ranked = rankHybrid(
    {
      lexical: new Map([["a", 10], ["d", 5], ["e", 0]]),
      dense: new Map([["a", 0.2], ["d", 0.6], ["e", 0.4]]),
    },
    { facts, ...OFF, lexicalWeight: 0.4, denseWeight: 0.6 },
  );
  expectEqual(ranked.map((r) => [r.id, Math.round(r.score * 1e6) / 1e6]), [["d", 0.8], ["a", 0.4], [
    "e",
    0.3,
  ]]);
});

Deno.test("rankHybrid() explains each score as the sum of its components", () => {
  const ranked = rankHybrid(
    { lexical: new Map([["a", 3], ["d", 1]]), dense: new Map([["a", 0.5], ["d", 0.3], ["c", 0.1]]) },
    { facts, cues: [{ text: "May", index: 0, startMs: Date.UTC(2023, 4, 1), endMs: Date.UTC(2023, 5, 1) }] },
  );
  const bad = ranked.filter((r) => {
    const c = r.components;
    return Math.abs(c.fused + c.context + c.thread + c.time - r.score) > 1e-12;
  });
  expectEqual(bad, []);
  expectEqual(ranked.map((r) => r.id).includes("b"), true, "b joins as a's neighbour");
  expectEqual(ranked.find((r) => r.id === "a")?.components.time, 0.4);
  expectEqual(ranked.find((r) => r.id === "d")?.components.time! < 0.01, true);
});

Deno.test("rankHybrid() lifts a turn whose neighbour matches above an unrelated turn", () => {
  const candidates = {
    lexical: new Map([["a", 2], ["d", 0.5]]),
    dense: new Map([["a", 0.7], ["d", 0.3], ["b", 0.3]]),
  };
  const order = (o: object) => rankHybrid(candidates, { facts, ...OFF, ...o }).map((r) => r.id).join(",");
  expectEqual(order({}), "a,b,d", "without smoothing b and d tie at 0 and break by id");
  expectEqual(order({ contextWeight: 0.3 }).startsWith("a,b,"), true);
});

Deno.test("rankHybrid() RRF scores are rescaled so a memory first in both lists scores 1", () => {
  const ranked = rankHybrid(
    { lexical: new Map([["a", 2], ["d", 1]]), dense: new Map([["a", 0.9], ["d", 0.1]]) },
    { facts, ...OFF, fusion: "rrf" },
  );
  expectEqual(ranked[0]?.id, "a");
  expectEqual(Math.round(ranked[0]!.score * 1e9) / 1e9, 1);
});

Deno.test("rankHybrid() is deterministic whatever the order of its input maps", () => {
  const l1 = new Map([["a", 1], ["b", 1], ["d", 1]]);
  const l2 = new Map([["d", 1], ["b", 1], ["a", 1]]);
  const dense = new Map([["e", 0.5]]);
  const r1 = rankHybrid({ lexical: l1, dense }, { facts });
  const r2 = rankHybrid({ lexical: l2, dense }, { facts });
  expectEqual(r1, r2);
});
