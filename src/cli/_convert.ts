/**
 * Turning flag strings into the values the memory service takes. Only the conversion happens here;
 * ranges and shapes are checked by the service's schemas, whose messages name the field.
 *
 * @module
 */
import { UsageError } from "./args.ts";

/**
 * A time flag: milliseconds since the epoch (digits), or anything `Date.parse` reads (ISO-8601). A bare
 * four-digit number is a year, not a millisecond count.
 *
 * @throws {UsageError} The value is neither.
 */
export function timeArg(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s) && !/^\d{4}$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `flag "--${flag}" needs a time (ms since the epoch or ISO-8601, e.g. 2024-05-01T10:00:00Z), got ${
        JSON.stringify(v)
      }`,
      { field: `--${flag}` },
    );
  }
  return ms;
}

/** A number flag. @throws {UsageError} The value is not a number. */
export function numberArg(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || Number.isNaN(n)) {
    throw new UsageError(`flag "--${flag}" needs a number, got ${JSON.stringify(v)}`, { field: `--${flag}` });
  }
  return n;
}

/**
 * Repeated `--meta key=value` flags as a metadata object. A value that is valid JSON (`3`, `true`,
 * `"x"`, `[1,2]`) is taken as JSON; anything else is a string.
 *
 * @throws {UsageError} An entry has no `=` or an empty key.
 */
export function metaArgs(entries: readonly string[]): Record<string, unknown> | undefined {
  if (entries.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    const eq = e.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`flag "--meta" needs key=value, got ${JSON.stringify(e)}`, { field: "--meta" });
    }
    const raw = e.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the string.
    }
    out[e.slice(0, eq)] = value;
  }
  return out;
}

/** Copies the defined entries of `o`, for options under `exactOptionalPropertyTypes`. */
export function defined<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * A whole-number flag in `[min, max]`.
 *
 * @param flag The flag's name, for the message.
 * @param v Its value, or undefined when absent.
 * @param what What the message asks for. @default "a whole number from min to max"
 * @returns The number, or undefined when absent.
 * @throws {UsageError} The value is not a whole number in range.
 */
export function intArg(
  flag: string,
  v: string | undefined,
  min: number,
  max: number,
  what?: string,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `flag "--${flag}" needs ${what ?? `a whole number from ${min} to ${max}`}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/**
 * `--rate-limit` of `t4dm serve` and `t4dm mcp --http`: `off`, `N` (requests per second per key, bursts of
 * 2N) or `N:B` (bursts of B).
 *
 * @param v The flag's value.
 * @returns The servers' rate-limit option.
 * @throws {UsageError} For anything else.
 *
 * @example
 * ```ts
 * import { rateLimitArg } from "./_convert.ts";
 * const a = rateLimitArg("200"), b = rateLimitArg("5:10"), c = rateLimitArg("off");
 * if (a === false || a.perSecond !== 200 || a.burst !== 400) throw new Error(JSON.stringify(a));
 * if (b === false || b.perSecond !== 5 || b.burst !== 10 || c !== false) throw new Error(JSON.stringify([b, c]));
 * ```
 */
export function rateLimitArg(v: string): { perSecond: number; burst: number } | false {
  if (v === "off") return false;
  const m = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(v);
  const perSecond = m ? Number(m[1]) : NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : Math.ceil(2 * perSecond);
  if (!(perSecond > 0 && burst >= 1 && Number.isFinite(perSecond + burst))) {
    throw new UsageError(
      `flag "--rate-limit" needs "off", N or N:BURST (requests per second per key), got ${JSON.stringify(v)}`,
    );
  }
  return { perSecond, burst };
}
