import { smoothOverNeighbours } from "./context_smoothing.ts";
import { expectEqual, rounded } from "./_test_util.ts";

/** Two threads: s1 = a b c, s2 = d e. */
const THREADS = [["a", "b", "c"], ["d", "e"]];
function neighbours(id: string) {
  for (const t of THREADS) {
    const i = t.indexOf(id);
    if (i >= 0) return { prev: t[i - 1], next: t[i + 1] };
  }
  return undefined;
}

Deno.test("smoothOverNeighbours() adds weight times the better neighbour's score", () => {
  const got = smoothOverNeighbours(new Map([["a", 1], ["b", 0.2], ["c", 0.6]]), { neighbours, weight: 0.5 });
  expectEqual(rounded(got), new Map([["a", 1.1], ["b", 0.7], ["c", 0.7]]));
});

Deno.test("smoothOverNeighbours() brings in neighbours of candidates, and only within a thread", () => {
  const got = smoothOverNeighbours(new Map([["c", 1]]), { neighbours, weight: 0.3 });
  expectEqual(rounded(got), new Map([["c", 1], ["b", 0.3]]), "d is in another thread and stays out");
});

Deno.test("smoothOverNeighbours() reads neighbours from the input, not from smoothed scores", () => {
  const got = smoothOverNeighbours(new Map([["a", 1]]), { neighbours, weight: 1 });
  expectEqual(got.get("c"), undefined, "c is two steps from a");
  expectEqual(got.get("b"), 1);
});

Deno.test("smoothOverNeighbours() with weight 0 or unknown ids changes nothing", () => {
  const scores = new Map([["a", 1], ["zz", 0.5]]);
  expectEqual(smoothOverNeighbours(scores, { neighbours, weight: 0 }), scores);
  expectEqual(smoothOverNeighbours(new Map([["zz", 0.5]]), { neighbours }), new Map([["zz", 0.5]]));
});
