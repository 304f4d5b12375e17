import { threadBoost } from "./thread_boost.ts";
import { expectEqual, rounded } from "./_test_util.ts";

const THREAD: Record<string, string> = { a: "s1", b: "s1", c: "s1", d: "s2" };
const threadOf = (id: string) => THREAD[id];

Deno.test("threadBoost() adds weight times the mean of the thread's top scores", () => {
  const got = threadBoost(new Map([["a", 0.9], ["b", 0.5], ["c", 0.1], ["d", 0.8]]), {
    threadOf,
    weight: 0.5,
    top: 2,
  });
  // s1: (0.9 + 0.5) / 2 = 0.7; s2: (0.8 + 0) / 2 = 0.4
  expectEqual(rounded(got), new Map([["a", 1.25], ["b", 0.85], ["c", 0.45], ["d", 1]]));
});

Deno.test("threadBoost() counts a thread's missing memories as 0", () => {
  const got = threadBoost(new Map([["d", 0.9]]), { threadOf, weight: 1, top: 3 });
  expectEqual(rounded(got), new Map([["d", 1.2]]));
});

Deno.test("threadBoost() leaves memories without a thread, and everything at weight 0, as they are", () => {
  expectEqual(threadBoost(new Map([["x", 0.4]]), { threadOf }), new Map([["x", 0.4]]));
  expectEqual(threadBoost(new Map([["a", 0.4]]), { threadOf, weight: 0 }), new Map([["a", 0.4]]));
});

Deno.test("threadBoost() rejects a top that is not a positive integer", () => {
  for (const top of [0, 1.5, -1]) {
    let threw = false;
    try {
      threadBoost(new Map(), { threadOf, top });
    } catch (e) {
      threw = e instanceof RangeError;
    }
    if (!threw) throw new Error(`top ${top}: no RangeError`);
  }
});
