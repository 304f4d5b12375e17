/**
 * The SDK's request and response types. Request types come from the library's schemas (types only:
 * the SDK loads no server code at run time); response types mirror the daemon's response schemas
 * (src/http/schemas.ts), which a test checks.
 *
 * @module
 */
import type { Memory } from "../memory/schema.ts";

export type { Kind, Memory, RecallOptions, StoreInput, UpdatePatch } from "../memory/schema.ts";

/** Each ranking component of a recalled memory (with `explain: true`). */
export interface ScoreParts {
  vectorRank?: number;
  vectorScore?: number;
  lexicalRank?: number;
  lexicalScore?: number;
  fused: number;
  temporal: number;
  importance: number;
  kappa: number;
  recency: number;
  total: number;
}

/** One recalled memory. */
export interface RecallResult {
  memory: Memory;
  score: number;
  explain?: ScoreParts;
}

/** The outcome of feedback. */
export interface FeedbackResult {
  /** The memory, with the adjusted importance (feedback makes no new version). */
  memory: Memory;
  /** Importance before, 0..1. */
  previousImportance: number;
  /** Importance after, 0..1. */
  importance: number;
}

/** The outcome of an import. */
export interface ImportResult {
  imported: number;
  failedCount: number;
  /** At most the first 1000 failed lines. */
  failed: { line: number; error: string }[];
}

/** Counts per namespace the key may read; engine figures for admin keys. */
export interface Stats {
  namespaces: Record<string, { memories: number; vectors: number }>;
  embedder: string;
  /** What runs the embedder, e.g. `"onnxruntime (2 threads)"`. */
  embedderRuntime: string;
  engine?: Record<string, unknown>;
}

/** An error body (RFC 9457 problem details). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  retryAfter?: number;
}
