import { distinctTurns, meanScores, type RankedId, scoreQuestion, type Scores } from "./_locomo_metrics.ts";

function ids(...xs: string[]): RankedId[] {
  return xs.map((id) => ({ id }));
}

function expectScores(got: Scores, want: Partial<Scores>): void {
  const bad = (Object.keys(want) as (keyof Scores)[]).filter((k) => Math.abs(got[k] - want[k]!) > 1e-12);
  if (bad.length > 0) {
    throw new Error(
      `scores ${JSON.stringify(got)}, want ${JSON.stringify(want)} (differ in ${bad.join(", ")})`,
    );
  }
}

Deno.test("scoreQuestion() gives full marks for the evidence at the top", () => {
  expectScores(scoreQuestion(ids("a", "x"), ["a"]), { r1: 1, r5: 1, r10: 1, r50: 1, mrr: 1, ndcg10: 1 });
});

Deno.test("scoreQuestion() counts recall@k as the share of evidence in the first k distinct turns", async (t) => {
  const ranked = ids(...Array.from({ length: 60 }, (_, i) => `t${i}`));
  await t.step("one of two at rank 3, the other at rank 30", () => {
    expectScores(scoreQuestion(ranked, ["t2", "t29"]), {
      r1: 0,
      r5: 0.5,
      r10: 0.5,
      r25: 0.5,
      r50: 1,
      mrr: 1 / 3,
    });
  });
  await t.step("evidence never retrieved", () => {
    expectScores(scoreQuestion(ranked, ["zz"]), { r1: 0, r5: 0, r10: 0, r25: 0, r50: 0, mrr: 0, ndcg10: 0 });
  });
});

Deno.test("scoreQuestion() counts repeated ids once, so a repeat takes no place in the cut-off", () => {
  expectScores(scoreQuestion(ids("x", "x", "x", "x", "x", "a"), ["a"]), { r1: 0, r5: 1, mrr: 1 / 2 });
});

Deno.test("scoreQuestion() gives MRR 0 for a first hit past rank 100", () => {
  const ranked = ids(...Array.from({ length: 100 }, (_, i) => `t${i}`), "a");
  expectScores(scoreQuestion(ranked, ["a"]), { mrr: 0 });
  expectScores(scoreQuestion(ranked, ["t99"]), { mrr: 1 / 100 });
});

Deno.test("scoreQuestion() takes NDCG@10 with binary relevance", async (t) => {
  await t.step("one of two at rank 2", () => {
    const want = (1 / Math.log2(3)) / (1 + 1 / Math.log2(3));
    expectScores(scoreQuestion(ids("x", "a"), ["a", "b"]), { ndcg10: want });
  });
  await t.step("the ideal list is cut at 10 when there are more than 10 evidence turns", () => {
    const gold = Array.from({ length: 12 }, (_, i) => `g${i}`);
    expectScores(scoreQuestion(ids(...gold), gold), { ndcg10: 1, r10: 10 / 12 });
  });
});

Deno.test("a consolidated memory counts as its provenance turns, in its order", async (t) => {
  await t.step("it expands in place", () => {
    const ranked: RankedId[] = [{ id: "x" }, { id: "m1", provenance: ["b", "a"] }, { id: "y" }];
    if (distinctTurns(ranked).join(",") !== "x,b,a,y") throw new Error(distinctTurns(ranked).join(","));
    expectScores(scoreQuestion(ranked, ["a", "b"]), { r1: 0, r5: 1, mrr: 1 / 2 });
  });
  await t.step("it does not displace a turn ranked above it", () => {
    const ranked: RankedId[] = [{ id: "a" }, { id: "m1", provenance: ["c", "a", "b"] }, { id: "b" }];
    const got = distinctTurns(ranked).join(",");
    if (got !== "a,c,b") throw new Error(`distinct turns ${got}, want a,c,b`);
    expectScores(scoreQuestion(ranked, ["a", "b"]), { r1: 0.5, r5: 1, mrr: 1 });
  });
  await t.step("its turns take as many places as there are new ones", () => {
    const ranked: RankedId[] = [{ id: "m1", provenance: ["t0", "t1", "t2", "t3", "t4"] }, { id: "a" }];
    expectScores(scoreQuestion(ranked, ["a"]), { r5: 0, r10: 1, mrr: 1 / 6 });
  });
});

Deno.test("scoreQuestion() rejects a question without evidence", () => {
  let threw = false;
  try {
    scoreQuestion(ids("a"), []);
  } catch (e) {
    threw = e instanceof RangeError;
  }
  if (!threw) throw new Error("no RangeError for empty evidence");
});

Deno.test("meanScores() averages each figure and gives zeros for no questions", () => {
  const a = scoreQuestion(ids("a"), ["a"]);
  const b = scoreQuestion(ids("x"), ["a"]);
  expectScores(meanScores([a, b]), { r1: 0.5, r10: 0.5, mrr: 0.5, ndcg10: 0.5 });
  expectScores(meanScores([]), { r1: 0, mrr: 0 });
});
