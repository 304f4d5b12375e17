/**
 * Plain-text renderings of memories for the `text` part of tool results and the context resource. The
 * text repeats every id the structured content holds, so a client that reads only text loses nothing it
 * needs to make the next call.
 *
 * @module
 */
import type { Memory } from "../memory/schema.ts";

/**
 * Renders a time as an ISO-8601 UTC string, or the raw number when it is out of range.
 *
 * @param ms Milliseconds since the epoch.
 * @returns E.g. `"2023-05-08T10:00:00.000Z"`.
 *
 * @example
 * ```ts
 * import { isoTime } from "./_format.ts";
 * if (isoTime(0) !== "1970-01-01T00:00:00.000Z") throw new Error("wrong time");
 * ```
 */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/**
 * Renders one memory as a header line (id, time, kind, importance, tags) and its content.
 *
 * @param m The memory.
 * @param prefix Put before the header line, e.g. `"1. "`.
 * @returns Two or more lines, no trailing newline.
 *
 * @example
 * ```ts
 * import { formatMemory } from "./_format.ts";
 * const text = formatMemory({
 *   id: "m1", namespace: "default", kind: "semantic", content: "Ada likes tea", eventTime: 0,
 *   recordTime: 0, validFrom: 0, importance: 0.5, kappa: 0, tags: ["ada"], metadata: {}, provenance: [],
 *   access: { count: 0 }, version: 1,
 * });
 * if (!text.includes("id m1") || !text.includes("Ada likes tea")) throw new Error(text);
 * ```
 */
export function formatMemory(m: Memory, prefix = ""): string {
  const parts = [
    `id ${m.id}`,
    isoTime(m.eventTime),
    m.kind,
    `importance ${round(m.importance)}`,
  ];
  if (m.actor !== undefined) parts.push(`actor ${m.actor}`);
  if (m.session !== undefined) parts.push(`session ${m.session}`);
  if (m.tags.length > 0) parts.push(`tags ${m.tags.join(", ")}`);
  if (m.validTo !== undefined) parts.push(`valid until ${isoTime(m.validTo)}`);
  if (m.version > 1) parts.push(`version ${m.version}`);
  return `${prefix}[${parts.join(" | ")}]\n${indent(m.content)}`;
}

/**
 * Rounds to 3 decimals, for display and for importance steps (so 0.6 + 0.1 shows as 0.7).
 *
 * @param x Any finite number.
 * @returns `x` rounded to 3 decimals.
 *
 * @example
 * ```ts
 * import { round } from "./_format.ts";
 * if (round(0.6 + 0.1) !== 0.7) throw new Error("not rounded");
 * ```
 */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function indent(text: string): string {
  return text.split("\n").map((l) => `   ${l}`).join("\n");
}
