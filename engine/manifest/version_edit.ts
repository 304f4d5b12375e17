/**
 * Version edits: the records of the manifest. Each edit is one WAL-framed record (so each is
 * CRC-32C-checked and atomic); replaying all edits in order yields the current set of live tables.
 *
 * Byte layout of one edit: a sequence of fields, each
 *
 * | field  | size   | encoding        | notes                                               |
 * |--------|--------|-----------------|-----------------------------------------------------|
 * | tag    | 1–2    | varint          | engine/manifest/manifest_format.ts; bit 0x40 = safe to ignore |
 * | length | 1–4    | varint          | byte length of the body, so unknown safe tags skip  |
 * | body   | length | per tag, below  |                                                     |
 *
 * Bodies: LOG_NUMBER, NEXT_FILE, LAST_SEQ, FORMAT_VERSION: one varint. ADD_FILE: level varint, file
 * number varint, size varint, smallest key (varint length + bytes), smallest seq varint, largest key
 * (varint length + bytes), largest seq varint, entry count varint. DELETE_FILE: level varint, file number
 * varint. COMMENT: UTF-8 bytes.
 *
 * Worked example: `{ logNumber: 5, addFiles: [{ level: 0, number: 7, size: 4096, smallest: "a"@1,
 * largest: "b"@2, entries: 2 }] }` encodes as `01 01 05` (3 bytes) and `04 0b 00 07 80 20 01 61 01 01
 * 62 02 02` (13 bytes): 16 bytes, plus the 7-byte WAL frame header.
 *
 * @module
 */
import { CorruptionError, NotSupportedError } from "../errors.ts";
import { ByteReader, ByteWriter } from "../util/coding.ts";
import {
  NUM_LEVELS,
  TAG_ADD_FILE,
  TAG_COMMENT,
  TAG_DELETE_FILE,
  TAG_FORMAT_VERSION,
  TAG_LAST_SEQ,
  TAG_LOG_NUMBER,
  TAG_NEXT_FILE,
  TAG_SAFE_TO_IGNORE,
} from "./manifest_format.ts";

/** A live table as the manifest records it. */
export interface FileMeta {
  number: number;
  size: number;
  smallestKey: Uint8Array;
  smallestSeq: number;
  largestKey: Uint8Array;
  largestSeq: number;
  entries: number;
}

/** One change to the set of live tables and counters. */
export interface VersionEdit {
  formatVersion?: number;
  logNumber?: number;
  nextFile?: number;
  lastSeq?: number;
  addFiles?: { level: number; file: FileMeta }[];
  deleteFiles?: { level: number; number: number }[];
  comment?: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function field(out: ByteWriter, tag: number, body: ByteWriter): void {
  out.varint(tag);
  out.lengthPrefixed(body.view());
  body.reset();
}

/**
 * Encodes an edit.
 *
 * @example Round trip
 * ```ts
 * import { decodeEdit, encodeEdit } from "./version_edit.ts";
 * const e = decodeEdit(encodeEdit({ logNumber: 5, lastSeq: 9 }), "MANIFEST-000001");
 * if (e.logNumber !== 5 || e.lastSeq !== 9) throw new Error("bad round trip");
 * ```
 */
export function encodeEdit(edit: VersionEdit): Uint8Array {
  const out = new ByteWriter();
  const b = new ByteWriter();
  const num = (tag: number, v: number | undefined) => {
    if (v === undefined) return;
    b.varint(v);
    field(out, tag, b);
  };
  num(TAG_FORMAT_VERSION, edit.formatVersion);
  num(TAG_LOG_NUMBER, edit.logNumber);
  num(TAG_NEXT_FILE, edit.nextFile);
  num(TAG_LAST_SEQ, edit.lastSeq);
  for (const d of edit.deleteFiles ?? []) {
    b.varint(d.level);
    b.varint(d.number);
    field(out, TAG_DELETE_FILE, b);
  }
  for (const { level, file: f } of edit.addFiles ?? []) {
    b.varint(level);
    b.varint(f.number);
    b.varint(f.size);
    b.lengthPrefixed(f.smallestKey);
    b.varint(f.smallestSeq);
    b.lengthPrefixed(f.largestKey);
    b.varint(f.largestSeq);
    b.varint(f.entries);
    field(out, TAG_ADD_FILE, b);
  }
  if (edit.comment !== undefined) {
    b.bytes(enc.encode(edit.comment));
    field(out, TAG_COMMENT, b);
  }
  return out.finish();
}

function level(r: ByteReader, file: string): number {
  const l = r.varint("level");
  if (l >= NUM_LEVELS) {
    throw new CorruptionError(`Cannot decode version edit in "${file}": level ${l} out of range`);
  }
  return l;
}

/**
 * Decodes an edit; throws `CorruptionError` naming the field, or `NotSupportedError` for an unknown tag
 * that is not marked safe to ignore.
 */
export function decodeEdit(data: Uint8Array, file: string): VersionEdit {
  const r = new ByteReader(data, `version edit in "${file}"`);
  const e: VersionEdit = {};
  while (r.remaining > 0) {
    const tag = r.varint("tag");
    const body = new ByteReader(r.lengthPrefixed(`tag ${tag} body`), `version edit tag ${tag} in "${file}"`);
    switch (tag) {
      case TAG_FORMAT_VERSION:
        e.formatVersion = body.varint("format version");
        break;
      case TAG_LOG_NUMBER:
        e.logNumber = body.varint("log number");
        break;
      case TAG_NEXT_FILE:
        e.nextFile = body.varint("next file");
        break;
      case TAG_LAST_SEQ:
        e.lastSeq = body.varint("last seq");
        break;
      case TAG_DELETE_FILE:
        (e.deleteFiles ??= []).push({ level: level(body, file), number: body.varint("file number") });
        break;
      case TAG_ADD_FILE: {
        const lv = level(body, file);
        const f: FileMeta = {
          number: body.varint("file number"),
          size: body.varint("size"),
          smallestKey: body.lengthPrefixed("smallest key").slice(),
          smallestSeq: body.varint("smallest seq"),
          largestKey: body.lengthPrefixed("largest key").slice(),
          largestSeq: body.varint("largest seq"),
          entries: body.varint("entries"),
        };
        (e.addFiles ??= []).push({ level: lv, file: f });
        break;
      }
      case TAG_COMMENT:
        e.comment = dec.decode(body.buf);
        break;
      default:
        if (tag & TAG_SAFE_TO_IGNORE) continue;
        throw new NotSupportedError(`Cannot decode version edit in "${file}": unknown tag ${tag}`, { file });
    }
  }
  return e;
}

function keyText(k: Uint8Array): string {
  return JSON.stringify(dec.decode(k));
}

/**
 * Renders an edit as one line per field, the inverse of {@linkcode parseDebugEdit}. Keys are rendered as
 * JSON strings of their UTF-8 decoding (debug use: binary keys do not round-trip).
 *
 * @example
 * ```ts
 * import { editToDebugString, parseDebugEdit } from "./version_edit.ts";
 * const s = editToDebugString({ logNumber: 3, deleteFiles: [{ level: 1, number: 9 }] });
 * if (editToDebugString(parseDebugEdit(s)) !== s) throw new Error("no round trip");
 * ```
 */
export function editToDebugString(e: VersionEdit): string {
  const lines: string[] = [];
  if (e.formatVersion !== undefined) lines.push(`format-version ${e.formatVersion}`);
  if (e.logNumber !== undefined) lines.push(`log-number ${e.logNumber}`);
  if (e.nextFile !== undefined) lines.push(`next-file ${e.nextFile}`);
  if (e.lastSeq !== undefined) lines.push(`last-seq ${e.lastSeq}`);
  for (const d of e.deleteFiles ?? []) lines.push(`delete L${d.level} ${d.number}`);
  for (const { level, file: f } of e.addFiles ?? []) {
    lines.push(
      `add L${level} ${f.number} size=${f.size} entries=${f.entries} ` +
        `[${keyText(f.smallestKey)}@${f.smallestSeq} .. ${keyText(f.largestKey)}@${f.largestSeq}]`,
    );
  }
  if (e.comment !== undefined) lines.push(`comment ${JSON.stringify(e.comment)}`);
  return lines.join("\n");
}

/** Parses the text of {@linkcode editToDebugString}; throws `SyntaxError` on a line it cannot read. */
export function parseDebugEdit(text: string): VersionEdit {
  const e: VersionEdit = {};
  for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
    let m: RegExpExecArray | null;
    if ((m = /^format-version (\d+)$/.exec(line))) e.formatVersion = Number(m[1]);
    else if ((m = /^log-number (\d+)$/.exec(line))) e.logNumber = Number(m[1]);
    else if ((m = /^next-file (\d+)$/.exec(line))) e.nextFile = Number(m[1]);
    else if ((m = /^last-seq (\d+)$/.exec(line))) e.lastSeq = Number(m[1]);
    else if ((m = /^delete L(\d+) (\d+)$/.exec(line))) {
      (e.deleteFiles ??= []).push({ level: Number(m[1]), number: Number(m[2]) });
    } else if (
      (m =
        /^add L(\d+) (\d+) size=(\d+) entries=(\d+) \[("(?:[^"\\]|\\.)*")@(\d+) \.\. ("(?:[^"\\]|\\.)*")@(\d+)\]$/
          .exec(line))
    ) {
      (e.addFiles ??= []).push({
        level: Number(m[1]),
        file: {
          number: Number(m[2]),
          size: Number(m[3]),
          entries: Number(m[4]),
          smallestKey: enc.encode(JSON.parse(m[5]!)),
          smallestSeq: Number(m[6]),
          largestKey: enc.encode(JSON.parse(m[7]!)),
          largestSeq: Number(m[8]),
        },
      });
    } else if ((m = /^comment (".*")$/.exec(line))) e.comment = JSON.parse(m[1]!);
    else throw new SyntaxError(`Cannot parse version edit line: ${JSON.stringify(line)}`);
  }
  return e;
}
