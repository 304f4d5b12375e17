/**
 * Time2Vec: an event time as one linear term plus periodic terms (Kazemi et al. 2019, "Time2Vec:
 * Learning a Vector Representation of Time", eq. 1):
 *
 *   t2v(τ)[0] = ω₀·τ + φ₀                  (the linear term: where in absolute time)
 *   t2v(τ)[i] = sin(ωᵢ·τ + φᵢ),  1 ≤ i < K   (the periodic terms: where in each cycle)
 *
 * {@linkcode createTime2VecParams} initialises ω and φ instead of learning them: each period P (a day, a
 * week, a year) and harmonic h gives two entries with ω = 2πh/P and φ = 0 and π/2, a sine and a cosine of
 * the same phase. With such pairs the dot product of two periodic parts is Σ cos(ω·Δτ), which depends
 * only on the time between the events; {@linkcode time2vecSimilarity} is its normalised form.
 *
 * τ is milliseconds since the Unix epoch, UTC: add the user's UTC offset first to get local time of day.
 * ω and φ are Float64Array, not Float32Array, because ω·τ reaches ~4·10⁵ rad for τ ~ 1.7·10¹² ms and
 * a float32 ω would shift that phase by up to ~0.02 rad; only the output is float32. In float32 the
 * default linear term (years since 2000) resolves about a minute, which is all it is for.
 *
 * Dimension legend: K entries of the encoding (1 linear + 2 per frequency), F frequencies.
 *
 * @module
 */

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;
/** One week in milliseconds. */
export const WEEK_MS = 7 * DAY_MS;
/** One Julian year (365.25 days) in milliseconds: the mean calendar year, leap days included. */
export const YEAR_MS = 365.25 * DAY_MS;

/** The frequencies and phases of eq. 1. INVARIANT: `omega.length === phi.length`. */
export interface Time2VecParams {
  /** ω, shape [K], radians per millisecond; entry 0 is the linear rate. */
  readonly omega: Float64Array;
  /** φ, shape [K], radians; entry 0 is the linear offset. */
  readonly phi: Float64Array;
}

/** A cycle and how many of its harmonics to encode. */
export interface Time2VecPeriod {
  /** The period in milliseconds. */
  periodMs: number;
  /** Harmonics 1..harmonics are encoded, each as a sine and a cosine. */
  harmonics: number;
}

/** Options for {@linkcode createTime2VecParams}. */
export interface Time2VecOptions {
  /**
   * The cycles. Day harmonics 1-3 resolve 24 h, 12 h and 8 h rhythms (morning vs evening); week 1-2
   * separate weekdays from weekends; year 1-2 give seasons.
   *
   * @default {[{ periodMs: DAY_MS, harmonics: 3 }, { periodMs: WEEK_MS, harmonics: 2 },
   *   { periodMs: YEAR_MS, harmonics: 2 }]}
   */
  periods?: readonly Time2VecPeriod[];
  /**
   * Where the linear term is 0, in ms since the Unix epoch.
   *
   * @default {946684800000} (2000-01-01T00:00:00Z)
   */
  epochMs?: number;
  /**
   * The time for the linear term to grow by 1, in ms; with the default it counts years since `epochMs`.
   *
   * @default {YEAR_MS}
   */
  linearUnitMs?: number;
}

const DEFAULT_PERIODS: readonly Time2VecPeriod[] = [
  { periodMs: DAY_MS, harmonics: 3 },
  { periodMs: WEEK_MS, harmonics: 2 },
  { periodMs: YEAR_MS, harmonics: 2 },
];

/**
 * Builds the initial ω and φ of eq. 1 for the given cycles.
 *
 * @param options Cycles, epoch and unit of the linear term.
 * @returns Fresh parameters, K = 1 + 2·Σ harmonics (15 by default).
 * @throws {RangeError} If a period or unit is not positive and finite, or a harmonic count is not an
 * integer >= 1.
 *
 * @example The default size
 * ```ts
 * import { createTime2VecParams } from "./time2vec.ts";
 * const p = createTime2VecParams();
 * if (p.omega.length !== 15) throw new Error(`K is ${p.omega.length}`);
 * ```
 */
export function createTime2VecParams(options: Time2VecOptions = {}): Time2VecParams {
  const { periods = DEFAULT_PERIODS, epochMs = 946_684_800_000, linearUnitMs = YEAR_MS } = options;
  if (!(linearUnitMs > 0 && Number.isFinite(linearUnitMs)) || !Number.isFinite(epochMs)) {
    throw new RangeError(
      `Cannot create Time2Vec params: linearUnitMs is ${linearUnitMs}, epochMs is ${epochMs}`,
    );
  }
  let F = 0;
  for (const { periodMs, harmonics } of periods) {
    if (!(periodMs > 0 && Number.isFinite(periodMs)) || !Number.isInteger(harmonics) || harmonics < 1) {
      throw new RangeError(
        `Cannot create Time2Vec params: period ${periodMs} ms with ${harmonics} harmonics`,
      );
    }
    F += harmonics;
  }
  if (F === 0) throw new RangeError("Cannot create Time2Vec params: no periods");
  const K = 1 + 2 * F;
  const omega = new Float64Array(K); // [K]
  const phi = new Float64Array(K); // [K]
  omega[0] = 1 / linearUnitMs;
  phi[0] = -epochMs / linearUnitMs;
  let i = 1;
  for (const { periodMs, harmonics } of periods) {
    for (let h = 1; h <= harmonics; h++, i += 2) {
      omega[i] = omega[i + 1] = (2 * Math.PI * h) / periodMs;
      phi[i] = 0; // sine
      phi[i + 1] = Math.PI / 2; // cosine: sin(x + π/2) = cos(x)
    }
  }
  return { omega, phi };
}

/**
 * Encodes one time with eq. 1 of Kazemi et al. 2019.
 *
 * @param tMs The event time, ms since the Unix epoch (UTC).
 * @param out Receives t2v(tMs), shape [K].
 * @param params ω and φ, shape [K] each.
 * @returns `out`.
 * @throws {RangeError} If `tMs` is not finite or the lengths of `out`, `omega` and `phi` differ.
 *
 * @example A day later, the daily terms repeat
 * ```ts
 * import { createTime2VecParams, DAY_MS, time2vec } from "./time2vec.ts";
 * const p = createTime2VecParams();
 * const a = time2vec(Date.UTC(2025, 0, 6, 9), new Float32Array(15), p);
 * const b = time2vec(Date.UTC(2025, 0, 6, 9) + DAY_MS, new Float32Array(15), p);
 * if (Math.abs(a[1]! - b[1]!) > 1e-6 || !(b[0]! > a[0]!)) throw new Error(`${a} vs ${b}`);
 * ```
 */
export function time2vec(tMs: number, out: Float32Array, params: Time2VecParams): Float32Array {
  const { omega, phi } = params;
  const K = out.length;
  if (omega.length !== K || phi.length !== K) {
    throw new RangeError(
      `Cannot encode time: out has length ${K}, omega ${omega.length} and phi ${phi.length}; they must match`,
    );
  }
  if (!Number.isFinite(tMs)) throw new RangeError(`Cannot encode time: tMs is ${tMs}`);
  out[0] = omega[0]! * tMs + phi[0]!;
  for (let i = 1; i < K; i++) out[i] = Math.sin(omega[i]! * tMs + phi[i]!);
  return out;
}

/**
 * The cosine similarity of the periodic parts (entries 1..K-1) of two encodings.
 *
 * With {@linkcode createTime2VecParams} parameters this is the mean over frequencies of cos(ω·Δτ):
 * 1 when the two times sit at the same point of every cycle, near 1 for the same hour and weekday a few
 * weeks apart, lower across weekdays or hours. The linear term is left out: it carries absolute time,
 * and recency is for the caller to weigh with its own clock.
 *
 * @param a One encoding, shape [K].
 * @param b Another, shape [K].
 * @returns A number in [-1, 1]; 0 if either periodic part is all zeros.
 * @throws {RangeError} If the lengths differ or K < 2.
 *
 * @example Same weekday beats a different weekday
 * ```ts
 * import { createTime2VecParams, DAY_MS, time2vec, time2vecSimilarity, WEEK_MS } from "./time2vec.ts";
 * const p = createTime2VecParams();
 * const at = (t: number) => time2vec(t, new Float32Array(15), p);
 * const monday = Date.UTC(2025, 0, 6, 9);
 * const nextMonday = time2vecSimilarity(at(monday), at(monday + WEEK_MS));
 * const thursday = time2vecSimilarity(at(monday), at(monday + 3 * DAY_MS));
 * if (!(nextMonday > thursday)) throw new Error(`${nextMonday} <= ${thursday}`);
 * ```
 */
export function time2vecSimilarity(a: Float32Array, b: Float32Array): number {
  const K = a.length;
  if (b.length !== K || K < 2) {
    throw new RangeError(`Cannot compare Time2Vec encodings: lengths ${a.length} and ${b.length}`);
  }
  let ab = 0, aa = 0, bb = 0;
  for (let i = 1; i < K; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
