/**
 * Renders the index benchmark's JSON report as markdown tables.
 *
 * @module
 */
import type { KnnFigures } from "./_indexes_knn.ts";
import type { Bm25Figures, PutFigures, ReopenFigures } from "./_indexes_store.ts";

type Obj = Record<string, unknown>;

function cell(x: unknown): string {
  if (x === undefined || x === null) return "-";
  if (typeof x === "number") return Number.isInteger(x) ? x.toLocaleString("en-US") : String(x);
  return String(x);
}

function table(head: string[], rows: unknown[][]): string {
  const line = (xs: unknown[]) => `| ${xs.map(cell).join(" | ")} |`;
  return [line(head), `|${head.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** The data sets of a kNN entry: the top level, then every nested kind. */
function knnSets(entry: Obj): KnnFigures[] {
  const out: KnnFigures[] = [];
  if (typeof entry.dataset === "string") out.push(entry as unknown as KnnFigures);
  for (const v of Object.values(entry)) {
    if (v && typeof v === "object" && "sweep" in v) out.push(v as KnnFigures);
  }
  return out;
}

function knnSection(title: string, entry: Obj | undefined): string[] {
  if (!entry) return [];
  if (entry.skipped) return [`### ${title}\n\nSkipped: ${entry.skipped}\n`];
  const sets = knnSets(entry);
  const out = [
    `### ${title}: ${cell(entry.n)} × ${entry.dim} (${entry.metric}, M ${entry.M}, efConstruction ` +
    `${entry.efConstruction}, ${entry.queries} queries, k ${entry.k})\n`,
    table(
      [
        "data set",
        "build s",
        "inserts/s",
        "ef",
        "recall@10",
        "p50 ms",
        "p99 ms",
        "brute p50 ms",
        "brute p99 ms",
        "ef for 0.95",
      ],
      sets.map((f) => [
        f.dataset,
        f.build_s,
        f.inserts_per_s,
        f.ef,
        f.recall_at_10,
        f.p50_ms,
        f.p99_ms,
        f.brute_force_p50_ms,
        f.brute_force_p99_ms,
        f.ef_for_recall_0_95,
      ]),
    ),
    "",
  ];
  const efs = [...new Set(sets.flatMap((f) => f.sweep.map((p) => p.ef)))].sort((a, b) => a - b);
  out.push(
    "ef sweep (recall@10 / p50 ms / p99 ms):\n",
    table(
      ["ef", ...sets.map((f) => f.dataset)],
      efs.map((ef) => [
        ef,
        ...sets.map((f) => {
          const p = f.sweep.find((s) => s.ef === ef);
          return p ? `${p.recall_at_10} / ${p.p50_ms} / ${p.p99_ms}` : "-";
        }),
      ]),
    ),
    "",
  );
  const put = entry.collection_put as PutFigures | undefined;
  if (put) out.push(putLine(put), "");
  return out;
}

function putLine(p: PutFigures): string {
  return `Collection.put (graph of ${
    cell(p.graph_size_at_start)
  } at start): ${p.batched_ms_per_record} ms/record ` +
    `in calls of ${p.batch} (${
      cell(p.batched_records)
    } records), ${p.single_ms_per_record} ms/record singly ` +
    `(${cell(p.single_records)} records).`;
}

/** The whole report as markdown. */
export function renderIndexesMarkdown(report: Obj): string {
  const out: string[] = [`## Index benchmark${report.quick ? " (quick)" : ""}\n`];
  const ds = report.datasets as Record<string, string>;
  out.push(`Data sets: ${Object.entries(ds).map(([k, v]) => `${k} = \`${v}\``).join(", ")}\n`);
  out.push(...knnSection("kNN 100k × 512", report.knn_100k_512 as Obj | undefined));
  out.push(...knnSection("kNN 1M × 128", report.knn_1m_128 as Obj | undefined));
  const bm = report.bm25_100k as (Bm25Figures & { skipped?: string }) | undefined;
  if (bm?.skipped) out.push(`### BM25\n\nSkipped: ${bm.skipped}\n`);
  else if (bm) {
    out.push(
      `### BM25: ${cell(bm.docs)} documents of ${bm.mean_doc_words} words (vocabulary ${
        cell(bm.vocabulary)
      }, ` +
        `Zipf s=${bm.zipf_s}), queries of ${bm.query_words} words, k ${bm.k}\n`,
      table(["query words", "p50 ms", "p99 ms"], [
        ["Zipf (as documents)", bm.p50_ms, bm.p99_ms],
        ["uniform over vocabulary", bm.uniform_words.p50_ms, bm.uniform_words.p99_ms],
      ]),
      `\nLoad ${bm.load_ms_per_doc} ms/document; tables when queried: ${bm.levels}, after waiting ` +
        `${bm.settle_ms} ms for compaction. Right after the load (${bm.right_after_load.levels_after_load}), ` +
        `Zipf words: p50 ${bm.right_after_load.p50_ms} ms, p99 ${bm.right_after_load.p99_ms} ms.\n`,
    );
  }
  const ro = report.reopen as (ReopenFigures & { skipped?: string }) | undefined;
  if (ro?.skipped) out.push(`### Reopen\n\nSkipped: ${ro.skipped}\n`);
  else if (ro) {
    out.push(
      `### Reopen: ${cell(ro.records)} × ${ro.dim} (${ro.dataset})\n`,
      table(["open", "ms", "vectorSource"], [
        [`sidecar + ${ro.catch_up_changes} changes to catch up`, ro.sidecar_ms, ro.sidecar_source],
        ["sidecar, clean close", ro.sidecar_clean_ms, "sidecar"],
        ["no sidecar files (rebuild)", ro.rebuild_ms, ro.rebuild_source],
      ]),
      `\nEngine open ${ro.engine_open_ms} ms of the sidecar open; sidecar ${cell(ro.sidecar_bytes)} bytes, ` +
        `persisted in ${ro.persist_ms} ms; recall@10 after reopen ${ro.recall_at_10_after_reopen}; load ` +
        `${ro.load_ms_per_record} ms/record (exact collection, no graph).\n`,
      `${putLine(ro.collection_put)} (After ${ro.collection_put.settle_ms} ms waiting for compaction.)`,
      "",
    );
  }
  const rss = report.rss_mb as Record<string, number>;
  out.push("### RSS (MiB)\n", table(["after", "MiB"], Object.entries(rss)), "");
  const notes = report.notes as string[];
  if (notes.length > 0) out.push("### Notes\n", ...notes.map((n) => `- ${n}`), "");
  out.push("```json", JSON.stringify(report.config), "```");
  return out.join("\n");
}
