/**
 * Readable renderings of memories for the human (non `--json`) output.
 *
 * @module
 */
import type { Memory } from "../memory/schema.ts";

/** A time as ISO-8601 UTC, or "—". */
export function iso(ms: number | undefined): string {
  return ms === undefined ? "—" : new Date(ms).toISOString();
}

/** A time as `YYYY-MM-DD HH:MM` UTC, for tables. */
export function shortTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

/** `text` on one line, cut to `max` characters. */
export function oneLine(text: string, max: number): string {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

/** Rows of `[label, value]` aligned into lines. */
export function fields(rows: readonly (readonly [string, string])[]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
}

/** Every field of a memory, one a line. */
export function memoryFields(m: Memory): string {
  const rows: [string, string][] = [
    ["id", m.id],
    ["namespace", m.namespace],
    ["kind", m.kind],
    ["content", m.content],
  ];
  if (m.actor !== undefined) rows.push(["actor", m.actor]);
  if (m.session !== undefined) rows.push(["session", m.session]);
  rows.push(
    ["event time", iso(m.eventTime)],
    ["recorded", iso(m.recordTime)],
    ["valid", `${iso(m.validFrom)} → ${m.validTo === undefined ? "(open)" : iso(m.validTo)}`],
    ["importance", String(m.importance)],
    ["tags", m.tags.length ? m.tags.join(", ") : "—"],
    ["metadata", Object.keys(m.metadata).length ? JSON.stringify(m.metadata) : "—"],
    ["version", String(m.version)],
    ["access", `${m.access.count}${m.access.last === undefined ? "" : ` (last ${iso(m.access.last)})`}`],
  );
  if (m.provenance.length) rows.push(["provenance", m.provenance.join(", ")]);
  return fields(rows);
}

/** Rows as a left-aligned table with a header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  return [fmt(header), ...rows.map(fmt)].join("\n");
}
