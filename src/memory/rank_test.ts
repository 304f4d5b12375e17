import { DEFAULT_WEIGHTS, rankPool, type RankWeights } from "./rank.ts";
import type { TimeCue } from "../recall/temporal_cues.ts";

const DAY_MS = 86_400_000;

/** Two memories with equal index scores: "far" half a year from `near`, which sorts second by id. */
function rankTwo(near: number, far: number, o: { now: number; cues: TimeCue[]; time2vec: number }) {
  const only: RankWeights = {
    ...DEFAULT_WEIGHTS,
    lexical: 0,
    vector: 0,
    context: 0,
    thread: 0,
    temporal: 0,
    time2vec: o.time2vec,
  };
  const facts: Record<string, { eventTime: number }> = { far: { eventTime: far }, near: { eventTime: near } };
  const same = new Map([["far", 1], ["near", 1]]);
  return rankPool(
    { lexical: same, dense: same, lexicalRank: new Map(), vectorRank: new Map() },
    (id) => facts[id],
    { now: o.now, cues: o.cues, weights: only, k: 10, weightsOf: () => ({ importance: 0.5, kappa: 0 }) },
  );
}

Deno.test("rankPool() with only the time2vec weight ranks the memory of the query's day first", async (t) => {
  const day: TimeCue = {
    text: "8 May 2023",
    index: 0,
    startMs: Date.UTC(2023, 4, 8),
    endMs: Date.UTC(2023, 4, 9),
  };
  const near = Date.UTC(2023, 4, 8, 13, 56);
  const far = near + 182 * DAY_MS + 11 * 3_600_000;
  const now = Date.UTC(2024, 0, 1);

  await t.step("with a date cue, its middle is the reference", () => {
    const r = rankTwo(near, far, { now, cues: [day], time2vec: 0.2 });
    const got = r.map((x) => `${x.id}:${x.parts.time2vec.toFixed(3)}:${x.parts.total.toFixed(3)}`).join();
    const [first, second] = r;
    if (
      first?.id !== "near" || !(first.parts.time2vec > 0.1) ||
      !(second!.parts.time2vec < first.parts.time2vec) ||
      Math.abs(first.parts.total - first.parts.time2vec) > 1e-9
    ) throw new Error(got);
  });

  await t.step("without cues, now is the reference", () => {
    const r = rankTwo(near, far, { now: near + 7 * DAY_MS, cues: [], time2vec: 0.2 });
    const got = r.map((x) => `${x.id}:${x.parts.time2vec.toFixed(3)}`).join();
    if (r[0]?.id !== "near" || !(r[0].parts.time2vec > 0.1)) throw new Error(got);
  });

  await t.step("weight 0 leaves the part at 0 and the tie to the ids", () => {
    const r = rankTwo(near, far, { now, cues: [day], time2vec: 0 });
    const got = r.map((x) => `${x.id}:${x.parts.time2vec}`).join();
    if (got !== "far:0,near:0") throw new Error(got);
  });
});
