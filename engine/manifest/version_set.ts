/**
 * The version set: the current {@linkcode Version}, the file-number and sequence counters, and the
 * manifest log that makes every change to them durable before it is used.
 *
 * Durability protocol (see engine/docs/design.md): an edit is appended to the manifest and fsync'd
 * before the new version is installed; a new manifest is fsync'd and its directory entry synced before
 * CURRENT is replaced by write-temp + fsync + rename + fsync(dir). A crash at any instant therefore
 * leaves CURRENT naming a complete manifest whose replay gives a consistent version.
 *
 * @module
 */
import { CorruptionError, NotFoundError, NotSupportedError } from "../errors.ts";
import type { Fs } from "../fs/fs.ts";
import { currentFileName, manifestFileName, parseFileName } from "../filenames.ts";
import { readWal, WalWriter } from "../wal/mod.ts";
import { MANIFEST_FORMAT_VERSION } from "./manifest_format.ts";
import { Version } from "./version.ts";
import { decodeEdit, encodeEdit, type VersionEdit } from "./version_edit.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Manifest state of an open store.
 *
 * Concurrency: `logAndApply` calls may overlap; they are serialised internally in call order. Readers
 * take `current` at any time and get a consistent, immutable version.
 */
export class VersionSet {
  readonly #fs: Fs;
  readonly #dir: string;
  #manifest: WalWriter | undefined;
  #manifestNumber = 0;
  #queue: Promise<void> = Promise.resolve();
  /** The live version. */
  current: Version = Version.empty();
  /** WALs numbered below this are fully contained in tables. */
  logNumber = 0;
  /** Next file number to hand out. */
  nextFile = 2;
  /** Last sequence number assigned (durable in a WAL or a table). */
  lastSeq = 0;

  private constructor(fs: Fs, dir: string) {
    this.#fs = fs;
    this.#dir = dir;
  }

  /** Number of the live manifest file. */
  get manifestNumber(): number {
    return this.#manifestNumber;
  }

  /**
   * Opens the version set of `dir`: replays the manifest named by CURRENT if there is one, otherwise
   * starts empty (REQUIRES: the caller checked that the directory holds no store). Either way a fresh
   * manifest holding one snapshot edit is written and made current, so manifests never grow without
   * bound across restarts.
   *
   * @throws {CorruptionError} CURRENT or the manifest is damaged (mid-log damage is never skipped).
   */
  static async open(fs: Fs, dir: string, create: boolean): Promise<VersionSet> {
    const vs = new VersionSet(fs, dir);
    if (!create) vs.#recover();
    await vs.#writeNewManifest();
    return vs;
  }

  #recover(): void {
    const cur = currentFileName(this.#dir);
    if (!this.#fs.exists(cur)) {
      throw new NotFoundError(`Cannot open store "${this.#dir}": CURRENT is missing`);
    }
    const name = dec.decode(this.#fs.readFile(cur)).trim();
    const m = /^MANIFEST-(\d+)$/.exec(name);
    if (!m) {
      throw new CorruptionError(`Cannot open store: CURRENT names ${JSON.stringify(name)}`, { file: cur });
    }
    const path = manifestFileName(this.#dir, Number(m[1]));
    if (!this.#fs.exists(path)) {
      throw new CorruptionError(`Cannot open store: CURRENT names "${name}", which does not exist`, {
        file: cur,
      });
    }
    const data = this.#fs.readFile(path);
    const res = readWal(data, { file: path, strictTail: true });
    if (res.corruptions.length > 0) {
      const c = res.corruptions[0]!;
      throw new CorruptionError(
        `Cannot replay manifest "${path}": ${c.reason} at offset ${c.offset} (${c.bytes} bytes)`,
        { file: path },
      );
    }
    let v = Version.empty();
    let sawVersion = false;
    for (const rec of res.records) {
      const e = decodeEdit(rec, path);
      if (e.formatVersion !== undefined) {
        if (e.formatVersion > MANIFEST_FORMAT_VERSION) {
          throw new NotSupportedError(
            `Cannot open manifest "${path}": format version ${e.formatVersion} is newer than ${MANIFEST_FORMAT_VERSION}`,
            { file: path },
          );
        }
        sawVersion = true;
      }
      v = v.apply(e);
      if (e.logNumber !== undefined) this.logNumber = e.logNumber;
      if (e.nextFile !== undefined) this.nextFile = e.nextFile;
      if (e.lastSeq !== undefined) this.lastSeq = e.lastSeq;
    }
    if (!sawVersion) {
      throw new CorruptionError(`Cannot open manifest "${path}": no format version edit`, { file: path });
    }
    v.check();
    this.current = v;
    this.#manifestNumber = Number(m[1]);
    this.nextFile = Math.max(this.nextFile, this.#manifestNumber + 1);
    // Numbers allocated after the last edit (a WAL opened by a memtable switch, compaction outputs) are
    // not in the manifest but may be on disk, the WAL holding acknowledged writes. Never hand them out
    // again: recovery would otherwise open a new WAL over one it has not yet made obsolete durably.
    for (const name of this.#fs.list(this.#dir)) {
      this.nextFile = Math.max(this.nextFile, parseFileName(name).number + 1);
    }
  }

  async #writeNewManifest(): Promise<void> {
    const old = this.#manifestNumber;
    const n = this.newFileNumber();
    const path = manifestFileName(this.#dir, n);
    const w = new WalWriter(this.#fs.openWritable(path));
    const snapshot: VersionEdit = {
      formatVersion: MANIFEST_FORMAT_VERSION,
      logNumber: this.logNumber,
      nextFile: this.nextFile,
      lastSeq: this.lastSeq,
      addFiles: this.current.levels.flatMap((lv, level) => lv.map((file) => ({ level, file }))),
    };
    w.addRecord(encodeEdit(snapshot));
    await w.sync();
    await this.#fs.syncDir(this.#dir);
    const cur = currentFileName(this.#dir);
    const tmp = `${cur}.${n}.tmp`;
    const t = this.#fs.openWritable(tmp);
    t.append(enc.encode(`MANIFEST-${String(n).padStart(6, "0")}\n`));
    await t.sync();
    t.close();
    this.#fs.rename(tmp, cur);
    await this.#fs.syncDir(this.#dir);
    this.#manifest?.close();
    this.#manifest = w;
    this.#manifestNumber = n;
    if (old !== 0) this.#fs.remove(manifestFileName(this.#dir, old));
  }

  /** Allocates a file number. */
  newFileNumber(): number {
    return this.nextFile++;
  }

  /**
   * Makes `edit` durable in the manifest, then installs the version it produces. The counters
   * (`nextFile`, `lastSeq` unless the edit sets it) are recorded with every edit.
   */
  logAndApply(edit: VersionEdit): Promise<void> {
    const run = async () => {
      const full: VersionEdit = { ...edit, nextFile: this.nextFile };
      if (full.lastSeq === undefined) full.lastSeq = this.lastSeq;
      const next = this.current.apply(full);
      next.check();
      this.#manifest!.addRecord(encodeEdit(full));
      await this.#manifest!.sync();
      this.current = next;
      if (full.logNumber !== undefined) this.logNumber = full.logNumber;
    };
    const p = this.#queue.then(run);
    this.#queue = p.catch(() => {});
    return p;
  }

  /** Closes the manifest file. */
  close(): void {
    this.#manifest?.close();
    this.#manifest = undefined;
  }
}
