/**
 * Maps memories to engine records and back. The record's `text` is what the lexical index sees
 * ("actor: content"); the payload holds every other field as JSON.
 *
 * @module
 */
import type { IndexedRecord, RecordView, StoredRecord } from "../../engine/indexes/record_codec.ts";
import type { Kind, Memory } from "./schema.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Payload {
  content: string;
  namespace: string;
  session?: string;
  kind: Kind;
  actor?: string;
  importance: number;
  kappa: number;
  tags: string[];
  metadata: Record<string, unknown>;
  provenance: string[];
  version: number;
}

/** The text the lexical index and the embedder see for a memory. */
export function indexText(m: Pick<Memory, "content" | "actor">): string {
  return m.actor ? `${m.actor}: ${m.content}` : m.content;
}

/**
 * Converts a memory (and its embedding) to an engine record.
 *
 * @example Round trip
 * ```ts
 * import { fromRecord, toRecord } from "./codec.ts";
 * const m = { id: "a", namespace: "n", kind: "episodic" as const, content: "hi", eventTime: 1, recordTime: 2,
 *   validFrom: 1, importance: 0.5, kappa: 0, tags: [], metadata: {}, provenance: [], access: { count: 0 }, version: 1 };
 * const back = fromRecord({ ...toRecord(m, undefined), validFrom: 1 });
 * if (back.content !== "hi" || back.namespace !== "n") throw new Error("bad round trip");
 * ```
 */
export function toRecord(m: Memory, vector: Float32Array | undefined): IndexedRecord {
  const p: Payload = {
    content: m.content,
    namespace: m.namespace,
    kind: m.kind,
    importance: m.importance,
    kappa: m.kappa,
    tags: m.tags,
    metadata: m.metadata,
    provenance: m.provenance,
    version: m.version,
  };
  if (m.session !== undefined) p.session = m.session;
  if (m.actor !== undefined) p.actor = m.actor;
  const r: IndexedRecord = {
    id: m.id,
    eventTime: m.eventTime,
    recordTime: m.recordTime,
    validFrom: m.validFrom,
    text: indexText(m),
    payload: enc.encode(JSON.stringify(p)),
  };
  if (m.validTo !== undefined) r.validTo = m.validTo;
  if (vector) r.vector = vector;
  return r;
}

/**
 * Converts an engine record, or a view of one (whose text and vector it does not need), back to a memory
 * (access statistics are filled in by the caller).
 */
export function fromRecord(r: StoredRecord | RecordView): Memory {
  const payload = typeof r.payload === "function" ? r.payload() : r.payload;
  const p = JSON.parse(dec.decode(payload)) as Payload;
  const m: Memory = {
    id: r.id,
    namespace: p.namespace,
    kind: p.kind,
    content: p.content,
    eventTime: r.eventTime,
    recordTime: r.recordTime,
    validFrom: r.validFrom,
    importance: p.importance,
    kappa: p.kappa,
    tags: p.tags,
    metadata: p.metadata,
    provenance: p.provenance,
    access: { count: 0 },
    version: p.version,
  };
  if (p.session !== undefined) m.session = p.session;
  if (p.actor !== undefined) m.actor = p.actor;
  if (r.validTo !== undefined) m.validTo = r.validTo;
  return m;
}

/**
 * The importance and consolidation level of a memory, read from its record's payload without building
 * the whole memory (recall reads them for hundreds of candidates).
 */
export function payloadWeights(payload: Uint8Array): { importance: number; kappa: number } {
  const p = JSON.parse(dec.decode(payload)) as Payload;
  return { importance: p.importance, kappa: p.kappa };
}

/** {@linkcode payloadWeights} of record views already read: a view never changes, so neither do they. */
const weightsOfViews = new WeakMap<RecordView, Readonly<{ importance: number; kappa: number }>>();

/**
 * {@linkcode payloadWeights} of a record view, parsed once per view (the collection's record cache hands
 * out the same view until the record changes).
 */
export function viewWeights(view: RecordView): Readonly<{ importance: number; kappa: number }> {
  let w = weightsOfViews.get(view);
  if (!w) weightsOfViews.set(view, w = payloadWeights(view.payload()));
  return w;
}
