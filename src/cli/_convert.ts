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
