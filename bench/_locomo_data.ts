/**
 * Loads LoCoMo (Maharana et al., ACL 2024) for the recall benchmark: one {@linkcode LocomoMemory} per
 * dialogue turn and one {@linkcode LocomoQuestion} per question that has evidence.
 *
 * The file format is described in `shared/bench/locomo/README.md`. Only the conversation turns are read;
 * `observation`, `event_summary` and `session_summary` are annotations derived from the answers and are
 * never indexed.
 *
 * @module
 */

/** One dialogue turn, as a memory to index. */
export interface LocomoMemory {
  /** The turn id, `D<session>:<turn>`. */
  id: string;
  /** The turn text, with `" [shares <caption>]"` appended when the turn shares an image. */
  text: string;
  /** Who said it. */
  actor: string;
  /** The session's date and time, ms since the Unix epoch (the written local time read as UTC). */
  eventTime: number;
  /** The session the turn belongs to, `session_<N>`: turns of one session form one thread. */
  thread: string;
  /** The turn's position in its session, from 0. */
  seq: number;
}

/** One question with its evidence. */
export interface LocomoQuestion {
  /** The question text. */
  question: string;
  /** 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial. */
  category: number;
  /** The distinct evidence turn ids, in the order they are listed. REQUIRES: non-empty. */
  evidence: string[];
}

/** One conversation: its memories in session order, its questions and the time to ask them at. */
export interface LocomoConversation {
  /** The sample id, for example `conv-26`. */
  sampleId: string;
  /** The two speakers. */
  speakers: [string, string];
  /** Every turn of every session, sessions in number order. */
  memories: LocomoMemory[];
  /** The questions with evidence (those without are skipped, as the README asks). */
  questions: LocomoQuestion[];
  /** The "now" of every question: one hour after the last session's date and time. */
  now: number;
  /** Questions skipped for having no evidence id. */
  skipped: number;
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/** `1:56 pm on 8 May, 2023`: hour, minute, am/pm, day, month name, year. */
const SESSION_DATE = /^\s*(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([a-z]+),?\s+(\d{4})\s*$/i;

/**
 * Parses a LoCoMo session date such as `"1:56 pm on 8 May, 2023"`, reading the local time as UTC.
 *
 * @param text The `session_N_date_time` value.
 * @returns Milliseconds since the Unix epoch.
 * @throws {SyntaxError} If the text is not in that form or names no month.
 *
 * @example
 * ```ts
 * import { parseSessionDate } from "./_locomo_data.ts";
 * const t = parseSessionDate("1:56 pm on 8 May, 2023");
 * if (new Date(t).toISOString() !== "2023-05-08T13:56:00.000Z") throw new Error(new Date(t).toISOString());
 * ```
 */
export function parseSessionDate(text: string): number {
  const m = SESSION_DATE.exec(text);
  const month = m ? MONTHS.indexOf(m[5]!.toLowerCase()) : -1;
  if (!m || month < 0) {
    throw new SyntaxError(`Cannot parse session date "${text}": expected "1:56 pm on 8 May, 2023"`);
  }
  const hour = (Number(m[1]) % 12) + (m[3]!.toLowerCase() === "pm" ? 12 : 0);
  return Date.UTC(Number(m[6]), month, Number(m[4]), hour, Number(m[2]));
}

/**
 * The distinct evidence ids in a question's evidence list, found with `/D\d+:\d+/g` over the joined
 * list (a few entries are malformed, such as `"D8:6; D9:17"`).
 *
 * @param evidence The raw `evidence` field.
 * @returns The ids in first-seen order, without repeats.
 *
 * @example
 * ```ts
 * import { evidenceIds } from "./_locomo_data.ts";
 * const got = evidenceIds(["D8:6; D9:17", "D8:6", "D:1"]).join(",");
 * if (got !== "D8:6,D9:17") throw new Error(got);
 * ```
 */
export function evidenceIds(evidence: unknown): string[] {
  const joined = Array.isArray(evidence) ? evidence.map(String).join(" ") : String(evidence ?? "");
  return [...new Set(joined.match(/D\d+:\d+/g) ?? [])];
}

interface RawTurn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}

interface RawSample {
  sample_id: string;
  conversation: Record<string, unknown>;
  qa: { question: string; category: number; evidence?: unknown }[];
}

/**
 * Turns one raw sample into a {@linkcode LocomoConversation}.
 *
 * @param raw One element of the LoCoMo JSON list.
 * @returns Its memories, questions and "now".
 * @throws {TypeError} If the sample lacks `conversation` or `qa`, or a session lacks its date.
 */
export function parseConversation(raw: RawSample): LocomoConversation {
  const conv = raw.conversation;
  if (typeof conv !== "object" || conv === null || !Array.isArray(raw.qa)) {
    throw new TypeError(`Cannot read sample "${raw.sample_id}": no conversation or qa`);
  }
  const sessions = Object.keys(conv)
    .map((k) => /^session_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const memories: LocomoMemory[] = [];
  let last = -Infinity;
  for (const n of sessions) {
    const date = conv[`session_${n}_date_time`];
    if (typeof date !== "string") {
      throw new TypeError(`Cannot read sample "${raw.sample_id}": session_${n} has no date_time`);
    }
    const eventTime = parseSessionDate(date);
    last = Math.max(last, eventTime);
    const turns = conv[`session_${n}`] as RawTurn[];
    turns.forEach((t, seq) => {
      const caption = t.blip_caption ? ` [shares ${t.blip_caption}]` : "";
      memories.push({
        id: t.dia_id,
        text: `${t.text}${caption}`,
        actor: t.speaker,
        eventTime,
        thread: `session_${n}`,
        seq,
      });
    });
  }
  const questions: LocomoQuestion[] = [];
  let skipped = 0;
  for (const q of raw.qa) {
    const evidence = evidenceIds(q.evidence);
    if (evidence.length === 0) {
      skipped++;
      continue;
    }
    questions.push({ question: String(q.question), category: q.category, evidence });
  }
  return {
    sampleId: raw.sample_id,
    speakers: [String(conv.speaker_a), String(conv.speaker_b)],
    memories,
    questions,
    now: last + 3_600_000,
    skipped,
  };
}

/**
 * Reads a LoCoMo JSON file.
 *
 * @param path The file, for example `../shared/bench/locomo/locomo-dev.json`.
 * @returns One conversation per sample, in file order.
 * @throws {SyntaxError} If the file is not JSON or not a list.
 */
export async function loadLocomo(path: string): Promise<LocomoConversation[]> {
  const raw = JSON.parse(await Deno.readTextFile(path));
  if (!Array.isArray(raw)) throw new SyntaxError(`Cannot read LoCoMo file "${path}": expected a JSON list`);
  return raw.map((s) => parseConversation(s as RawSample));
}
