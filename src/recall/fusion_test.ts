import { maxNormalize, minMaxNormalize, reciprocalRankFusion, weightedFusion } from "./fusion.ts";
import { expectEqual, rounded } from "./_test_util.ts";

Deno.test("minMaxNormalize() maps the lowest to 0 and the highest to 1", () => {
  expectEqual(
    minMaxNormalize(new Map([["a", -2], ["b", 0], ["c", 2]])),
    new Map([["a", 0], ["b", 0.5], ["c", 1]]),
  );
});

Deno.test("minMaxNormalize() handles equal scores and empty input", async (t) => {
  await t.step("equal positive scores all become 1", () => {
    expectEqual(minMaxNormalize(new Map([["a", 3], ["b", 3]])), new Map([["a", 1], ["b", 1]]));
  });
  await t.step(
    "a lone zero stays 0",
    () => expectEqual(minMaxNormalize(new Map([["a", 0]])), new Map([["a", 0]])),
  );
  await t.step("empty in, empty out", () => expectEqual(minMaxNormalize(new Map()), new Map()));
});

Deno.test("maxNormalize() divides by the best score and ignores the tail", () => {
  expectEqual(maxNormalize(new Map([["a", 8], ["b", 2]])), new Map([["a", 1], ["b", 0.25]]));
  expectEqual(maxNormalize(new Map([["a", 8], ["b", 2], ["c", 0.1]])).get("b"), 0.25);
  expectEqual(maxNormalize(new Map([["a", 0]])), new Map([["a", 0]]));
});

Deno.test("weightedFusion() sums weighted lists, a missing id counting 0", () => {
  const got = weightedFusion(
    {
      lex: new Map([["a", 1], ["b", 0.5]]),
      dense: new Map([["b", 1], ["c", 0.2]]),
      other: new Map([["d", 9]]),
    },
    { lex: 0.5, dense: 0.5 },
  );
  expectEqual(rounded(got), new Map([["a", 0.5], ["b", 0.75], ["c", 0.1]]));
});

Deno.test("reciprocalRankFusion() adds w / (k + rank) and breaks ties by id", async (t) => {
  await t.step("ranks, not scores, count", () => {
    const got = reciprocalRankFusion({
      x: new Map([["a", 100], ["b", 99]]),
      y: new Map([["b", 0.2], ["a", 0.1]]),
    });
    expectEqual(rounded(got), rounded(new Map([["a", 1 / 61 + 1 / 62], ["b", 1 / 62 + 1 / 61]])));
  });
  await t.step("equal scores rank by id", () => {
    const got = reciprocalRankFusion({ x: new Map([["b", 1], ["a", 1]]) }, { k: 0 });
    expectEqual(got, new Map([["a", 1], ["b", 0.5]]));
  });
  await t.step("weights scale each list", () => {
    const got = reciprocalRankFusion({ x: new Map([["a", 1]]), y: new Map([["b", 1]]) }, {
      k: 0,
      weights: { x: 2 },
    });
    expectEqual(got, new Map([["a", 2], ["b", 1]]));
  });
});
