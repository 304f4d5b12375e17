import {
  createTime2VecParams,
  DAY_MS,
  time2vec,
  type Time2VecParams,
  time2vecSimilarity,
  WEEK_MS,
  YEAR_MS,
} from "./time2vec.ts";

const P = createTime2VecParams();
const K = P.omega.length;
/** Monday 2025-01-06 09:00 UTC. */
const MONDAY_9 = Date.UTC(2025, 0, 6, 9);
/** Entries 1..6 of the default encoding are the 3 daily harmonics, as sine/cosine pairs. */
const DAILY = [1, 2, 3, 4, 5, 6];

function at(tMs: number, params: Time2VecParams = P): Float32Array {
  return time2vec(tMs, new Float32Array(params.omega.length), params);
}

function show(v: Float32Array): string {
  return `[${Array.from(v, (x) => x.toFixed(6)).join(", ")}]`;
}

Deno.test("time2vec() follows eq. 1: a linear term, then sin(ωτ + φ)", () => {
  const params: Time2VecParams = {
    omega: Float64Array.of(2, Math.PI / 2, 1),
    phi: Float64Array.of(1, 0, Math.PI),
  };
  const v = at(1, params);
  const want = [3, 1, Math.sin(1 + Math.PI)];
  if (want.some((w, i) => Math.abs(w - v[i]!) > 1e-6)) throw new Error(`got ${show(v)}, want ${want}`);
});

Deno.test("createTime2VecParams() gives 1 linear and 14 periodic entries counting years since 2000", () => {
  const v = at(Date.UTC(2025, 0, 1));
  if (K !== 15 || Math.abs(v[0]! - 9132 / 365.25) > 1e-5) throw new Error(`K ${K}, linear term ${v[0]}`);
});

Deno.test("time2vec() repeats the daily terms one day later", () => {
  const a = at(MONDAY_9), b = at(MONDAY_9 + DAY_MS);
  const diffs = DAILY.map((i) => Math.abs(a[i]! - b[i]!));
  if (!diffs.every((d) => d < 1e-6)) throw new Error(`daily diffs ${diffs}\n${show(a)}\n${show(b)}`);
  const weekly = Math.abs(a[7]! - b[7]!);
  if (!(weekly > 0.1)) throw new Error(`weekly term barely moved: ${weekly}`);
});

Deno.test("time2vec() repeats every periodic term one week later except the yearly ones", () => {
  const a = at(MONDAY_9), b = at(MONDAY_9 + WEEK_MS);
  const diffs = Array.from({ length: 10 }, (_, i) => Math.abs(a[i + 1]! - b[i + 1]!));
  if (!diffs.every((d) => d < 1e-6)) throw new Error(`diffs ${diffs}\n${show(a)}\n${show(b)}`);
});

Deno.test("time2vecSimilarity() is higher for the same weekday and hour than for other days", async (t) => {
  const base = at(MONDAY_9);
  const sim = (dt: number) => time2vecSimilarity(base, at(MONDAY_9 + dt));

  await t.step("identical times score 1", () => {
    const s = sim(0);
    if (Math.abs(s - 1) > 1e-6) throw new Error(`similarity ${s}`);
  });

  await t.step("next Monday beats every other day of that week", () => {
    const monday = sim(WEEK_MS);
    const others = [1, 2, 3, 4, 5, 6].map((d) => sim(d * DAY_MS));
    if (!others.every((s) => s < monday)) throw new Error(`next Monday ${monday}, days 1-6 ${others}`);
  });

  await t.step("the same hour beats a different hour on the same day", () => {
    const sameHour = sim(WEEK_MS), evening = sim(WEEK_MS + 10 * 3_600_000);
    if (!(sameHour > evening)) throw new Error(`same hour ${sameHour}, 10 h later ${evening}`);
  });
});

Deno.test("time2vec() has a monotone linear term", async (t) => {
  await t.step("strictly increasing an hour apart or more", () => {
    const times = [0, 3_600_000, DAY_MS, YEAR_MS, MONDAY_9, MONDAY_9 + 3_600_000, MONDAY_9 + 10 * YEAR_MS];
    const linear = times.map((t) => at(t)[0]!);
    for (let i = 1; i < linear.length; i++) {
      if (!(linear[i]! > linear[i - 1]!)) throw new Error(`linear terms ${linear} for times ${times}`);
    }
  });

  await t.step("never decreasing second by second (float32 resolves about a minute in 2025)", () => {
    let prev = -Infinity;
    for (let s = 0; s < 600; s++) {
      const x = at(MONDAY_9 + s * 1000)[0]!;
      if (x < prev) throw new Error(`linear term fell from ${prev} to ${x} at second ${s}`);
      prev = x;
    }
  });
});

Deno.test("time2vec() is deterministic", () => {
  const a = at(MONDAY_9 + 12_345), b = at(MONDAY_9 + 12_345);
  if (show(a) !== show(b) || a.some((x, i) => x !== b[i])) throw new Error(`${show(a)} vs ${show(b)}`);
});

Deno.test("time2vec() rejects mismatched lengths and non-finite times", async (t) => {
  await t.step("out too short", () => {
    try {
      time2vec(0, new Float32Array(3), P);
    } catch (e) {
      if (e instanceof RangeError && e.message.includes("out has length 3, omega 15 and phi 15")) return;
      throw e;
    }
    throw new Error("no error thrown");
  });

  await t.step("NaN time", () => {
    try {
      time2vec(NaN, new Float32Array(K), P);
    } catch (e) {
      if (e instanceof RangeError && e.message === "Cannot encode time: tMs is NaN") return;
      throw e;
    }
    throw new Error("no error thrown");
  });

  await t.step("similarity of different lengths", () => {
    try {
      time2vecSimilarity(new Float32Array(3), new Float32Array(5));
    } catch (e) {
      if (e instanceof RangeError && e.message.includes("lengths 3 and 5")) return;
      throw e;
    }
    throw new Error("no error thrown");
  });
});
