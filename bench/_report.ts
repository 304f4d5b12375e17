/**
 * Shapes the benchmark's figures into the JSON report and its markdown rendering.
 *
 * @module
 */
import type { EngineName } from "./_store.ts";

/** The throughput workloads, in report order; each figure is operations (or keys) per second. */
export const WORKLOADS = ["put_sync", "put_sync_concurrent", "put_batch", "get", "scan"] as const;
/** One of {@linkcode WORKLOADS}. */
export type Workload = typeof WORKLOADS[number];

/** What one engine scored at one size; `error` or `skipped` replace figures that could not be taken. */
export type EngineResult = Partial<Record<Workload, number>> & {
  bytes_on_disk?: number;
  write_amp?: number | null;
  error?: string;
  skipped?: string;
  [extra: string]: number | string | boolean | null | undefined;
};

/** The whole report, as printed with `--json`. */
export interface Report {
  keys: number[];
  results: Record<string, Partial<Record<EngineName, EngineResult>>>;
  ratios: Partial<Record<Workload, number | null>>;
  config: Record<string, unknown>;
  notes: string[];
}

/** T4DX / SQLite throughput per workload at size `n` (higher favours T4DX); null where either is missing. */
export function ratiosAt(report: Pick<Report, "results">, n: number): Report["ratios"] {
  const r = report.results[String(n)] ?? {};
  const out: Report["ratios"] = {};
  for (const w of WORKLOADS) {
    const a = r.t4dx?.[w];
    const b = r.sqlite?.[w];
    out[w] = a !== undefined && b !== undefined && b > 0 ? Math.round((a / b) * 1000) / 1000 : null;
  }
  return out;
}

function fmt(x: number | string | boolean | null | undefined): string {
  if (x === undefined || x === null) return "-";
  if (typeof x !== "number") return String(x);
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  return String(x);
}

function mib(x: number | undefined): string {
  return x === undefined ? "-" : `${(x / 1048576).toFixed(1)} MiB`;
}

/** The report as markdown: one table per size, then the notes. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  for (const n of report.keys) {
    const r = report.results[String(n)] ?? {};
    const engines = Object.keys(r) as EngineName[];
    out.push(`### ${n.toLocaleString("en-US")} keys\n`);
    out.push(`| workload | ${engines.join(" | ")} | t4dx / sqlite |`);
    out.push(`|---|${engines.map(() => "---:").join("|")}|---:|`);
    const ratios = ratiosAt(report, n);
    for (const w of WORKLOADS) {
      const unit = w === "scan" ? "keys/s" : "ops/s";
      out.push(
        `| ${w} (${unit}) | ${engines.map((e) => fmt(r[e]?.[w])).join(" | ")} | ${fmt(ratios[w])} |`,
      );
    }
    out.push(`| on disk after load | ${engines.map((e) => mib(r[e]?.bytes_on_disk)).join(" | ")} | |`);
    const extras = new Set<string>();
    for (const e of engines) for (const k of Object.keys(r[e] ?? {})) extras.add(k);
    const skip = new Set<string>([...WORKLOADS, "bytes_on_disk", "error", "skipped"]);
    for (const k of [...extras].filter((k) => !skip.has(k))) {
      out.push(`| ${k} | ${engines.map((e) => fmt(r[e]?.[k])).join(" | ")} | |`);
    }
    for (const e of engines) {
      const why = r[e]?.error ?? r[e]?.skipped;
      if (why !== undefined) out.push(`\n${e} ${r[e]?.error !== undefined ? "failed" : "skipped"}: ${why}`);
    }
    out.push("");
  }
  if (report.notes.length > 0) out.push("Notes:\n", ...report.notes.map((s) => `- ${s}`), "");
  return out.join("\n");
}
