/**
 * T4DX: the embedded log-structured storage engine. This file is the coordinator (open/recovery, the
 * group-commit write path, reads, snapshots, flush and compaction scheduling), so it runs past the
 * usual file size; each part it coordinates lives in its own module.
 *
 * Files and protocols: engine/docs/design.md. Formats: engine/wal/wal_writer.ts (WAL and manifest
 * framing), engine/write_batch.ts (WAL payload), engine/sstable/sstable_writer.ts (tables),
 * engine/manifest/version_edit.ts (manifest records), engine/filenames.ts (directory layout).
 *
 * @module
 */
import type { CompactionFilter, EmittedRecord } from "./compaction/compaction_filter.ts";
import { runCompaction } from "./compaction/compaction_job.ts";
import { type CompactionPick, pickCompaction, pickFullCompaction } from "./compaction/compaction_picker.ts";
import { CorruptionError, IOError, NotFoundError } from "./errors.ts";
import { currentFileName, lockFileName, logFileName, parseFileName, tableFileName } from "./filenames.ts";
import type { FileLock, Fs } from "./fs/fs.ts";
import { RealFs } from "./fs/real_fs.ts";
import { DbIterator, LevelIterator, MergingIterator } from "./iterator/mod.ts";
import { type InternalIterator, TYPE_VALUE } from "./keys.ts";
import { NUM_LEVELS } from "./manifest/manifest_format.ts";
import type { Version } from "./manifest/version.ts";
import type { FileMeta } from "./manifest/version_edit.ts";
import { VersionSet } from "./manifest/version_set.ts";
import { type Memtable, SkipListMemtable } from "./memtable/mod.ts";
import { BlockCache, SSTableWriter } from "./sstable/mod.ts";
import { TableCache } from "./table_cache.ts";
import { ByteWriter, compareBytes } from "./util/coding.ts";
import { readWal, WalWriter } from "./wal/mod.ts";
import { type BatchOp, decodeBatch, encodeBatch, toBytes, WriteBatch } from "./write_batch.ts";

/** When acknowledged writes become durable. */
export type Durability =
  /** fsync the WAL before a write resolves (concurrent writers share one fsync). */
  | "sync"
  /** fsync the WAL every `intervalMs`; a write resolves once the OS has it (survives a process crash). */
  | { intervalMs: number };

/** Options of {@linkcode T4DX.open}. */
export interface OpenOptions {
  /** File system to use. @default new RealFs() */
  fs?: Fs;
  /** Create the store when the directory holds none. @default true */
  createIfMissing?: boolean;
  /** WAL durability. @default "sync" */
  durability?: Durability;
  /** Memtable size that triggers a flush to a level-0 table. @default 4 MiB */
  memtableBytes?: number;
  /** Target size of a table data block. @default 4096 */
  blockSize?: number;
  /** Bloom filter bits per key. @default 10 */
  bloomBitsPerKey?: number;
  /** Capacity of the decoded-block cache. @default 64 MiB */
  blockCacheBytes?: number;
  /** Level-0 table count that triggers compaction. @default 4 */
  l0CompactionTrigger?: number;
  /** Level-0 table count at which writers wait for compaction. @default 12 */
  l0StopWritesTrigger?: number;
  /** Bytes allowed in level 1; each deeper level gets `levelMultiplier` times more. @default 16 MiB */
  levelBaseBytes?: number;
  /** Growth factor between levels. @default 10 */
  levelMultiplier?: number;
  /** Target size of a compaction output table. @default 4 MiB */
  targetFileBytes?: number;
  /** Called on every live value that compaction rewrites. @default none */
  compactionFilter?: CompactionFilter;
  /** Run flushes and compactions in the background after writes. @default true */
  autoCompaction?: boolean;
  /** Told about background failures (the store then refuses writes). @default none */
  onBackgroundError?: (e: unknown) => void;
}

/** Per-call write options. */
export interface WriteOptions {
  /** Override the store's durability for this write: true forces an fsync. */
  sync?: boolean;
}

/** A consistent read view; release it when done so compaction can drop what it pins. */
export interface Snapshot {
  readonly seq: number;
  release(): void;
}

/** Options of {@linkcode T4DX.iterator}. Bounds are on user keys. */
export interface IteratorOptions {
  gt?: Uint8Array | string;
  gte?: Uint8Array | string;
  lt?: Uint8Array | string;
  lte?: Uint8Array | string;
  prefix?: Uint8Array | string;
  snapshot?: Snapshot;
}

/** Figures returned by {@linkcode T4DX.stats}. */
export interface EngineStats {
  levels: { level: number; files: number; bytes: number }[];
  memtableBytes: number;
  immutableMemtable: boolean;
  lastSeq: number;
  walNumber: number;
  manifestNumber: number;
  flushes: number;
  compactions: number;
  /** Bytes the user handed in (keys + values). */
  userBytes: number;
  walBytes: number;
  flushBytes: number;
  compactionBytes: number;
  /** (WAL + flush + compaction bytes) / user bytes. */
  writeAmplification: number;
  /** Records the compaction filter dropped / rewrote / emitted. */
  filter: { dropped: number; rewritten: number; emitted: number };
  snapshots: number;
}

interface PendingWrite {
  /** A request to rotate the memtable (from `flush()`), serialised with the writes around it. */
  rotate?: true;
  ops: BatchOp[];
  sync: boolean | undefined;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const pause = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * An open T4DX store.
 *
 * Concurrency: every method may be called while others are in flight. Writes are queued and
 * committed in groups (one WAL append and one fsync per group) in call order; reads are synchronous
 * and see every write that has resolved. One background task flushes and compacts, yielding to the
 * event loop every few thousand entries.
 *
 * @example Open, write, read, close
 * ```ts
 * import { T4DX } from "./db.ts";
 * const dir = Deno.makeTempDirSync();
 * const db = await T4DX.open(dir);
 * await db.put("user:1", "ada");
 * const v = db.get("user:1");
 * if (new TextDecoder().decode(v) !== "ada") throw new Error("lost the write");
 * await db.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class T4DX {
  readonly #fs: Fs;
  readonly #dir: string;
  readonly #o: Required<Omit<OpenOptions, "fs" | "compactionFilter" | "onBackgroundError">>;
  readonly #filter: CompactionFilter | undefined;
  readonly #onBgError: ((e: unknown) => void) | undefined;
  readonly #lock: FileLock;
  readonly #vs: VersionSet;
  readonly #tables: TableCache;
  #mem: Memtable = new SkipListMemtable();
  #imm: Memtable | undefined;
  #wal!: WalWriter;
  #walNumber = 0;
  #walDirty = false;
  #visibleSeq = 0;
  #pending: PendingWrite[] = [];
  #writing: Promise<void> | undefined;
  #bg: Promise<void> | undefined;
  #flushing: Promise<void> | undefined;
  #manual = false;
  #compactQueue: Promise<void> = Promise.resolve();
  #bgError: unknown;
  #waiters: (() => void)[] = [];
  #closed = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pointers: (Uint8Array | undefined)[] = [];
  #pins = new Map<Version, number>();
  #pendingOutputs = new Set<number>();
  #snapshots = new Map<number, number>();
  #buf = new ByteWriter(4096);
  #s = { flushes: 0, compactions: 0, userBytes: 0, walBytes: 0, flushBytes: 0, compactionBytes: 0 };
  #filtered = { dropped: 0, rewritten: 0, emitted: 0 };

  private constructor(
    fs: Fs,
    dir: string,
    o: OpenOptions,
    lock: FileLock,
    vs: VersionSet,
    blockCacheBytes: number,
  ) {
    this.#fs = fs;
    this.#dir = dir;
    this.#lock = lock;
    this.#vs = vs;
    this.#filter = o.compactionFilter;
    this.#onBgError = o.onBackgroundError;
    this.#o = {
      createIfMissing: o.createIfMissing ?? true,
      durability: o.durability ?? "sync",
      memtableBytes: o.memtableBytes ?? 4 << 20,
      blockSize: o.blockSize ?? 4096,
      bloomBitsPerKey: o.bloomBitsPerKey ?? 10,
      blockCacheBytes: blockCacheBytes,
      l0CompactionTrigger: o.l0CompactionTrigger ?? 4,
      l0StopWritesTrigger: o.l0StopWritesTrigger ?? 12,
      levelBaseBytes: o.levelBaseBytes ?? 16 << 20,
      levelMultiplier: o.levelMultiplier ?? 10,
      targetFileBytes: o.targetFileBytes ?? 4 << 20,
      autoCompaction: o.autoCompaction ?? true,
    };
    this.#tables = new TableCache(fs, dir, { blockCache: new BlockCache(blockCacheBytes) });
  }

  /**
   * Opens (or creates) the store in `dir`, recovering from the manifest and replaying the WALs.
   *
   * @throws {IOError} Another process has the store open.
   * @throws {CorruptionError} A file needed for recovery is damaged; the message names it.
   */
  static async open(dir: string, options: OpenOptions = {}): Promise<T4DX> {
    const fs = options.fs ?? new RealFs();
    const d = dir.replace(/\/+$/, "") || "/";
    fs.mkdirp(d);
    const lock = fs.lock(lockFileName(d));
    try {
      const exists = fs.exists(currentFileName(d));
      if (!exists) {
        // CURRENT is written last when a store is created, and only ever replaced by rename after. With
        // no CURRENT, nothing was acknowledged unless a WAL or a table exists: a crash during creation
        // leaves at most a manifest and a temp file, which are removed.
        const names = fs.list(d);
        const stray = names.filter((n) => ["log", "table"].includes(parseFileName(n).kind));
        if (stray.length === 0) {
          for (const n of names) {
            if (["manifest", "temp"].includes(parseFileName(n).kind)) fs.remove(`${d}/${n}`);
          }
        }
        if (stray.length > 0) {
          throw new CorruptionError(
            `Cannot open store "${d}": CURRENT is missing but store files are present (${
              stray.slice(0, 3).join(", ")
            })`,
          );
        }
        if (options.createIfMissing === false) {
          throw new NotFoundError(`Cannot open store "${d}": it does not exist`);
        }
      }
      const vs = await VersionSet.open(fs, d, !exists);
      const db = new T4DX(fs, d, options, lock, vs, options.blockCacheBytes ?? 64 << 20);
      await db.#recover();
      return db;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  async #recover(): Promise<void> {
    const vs = this.#vs;
    for (const f of vs.current.liveFiles()) {
      const p = tableFileName(this.#dir, f);
      if (!this.#fs.exists(p)) {
        throw new CorruptionError(`Cannot open store: table "${p}" is missing`, { file: p });
      }
    }
    const logs = this.#fs.list(this.#dir).map(parseFileName)
      .filter((p) => p.kind === "log" && p.number >= vs.logNumber).map((p) => p.number).sort((a, b) => a - b);
    const mem = new SkipListMemtable();
    let maxSeq = vs.lastSeq;
    for (const n of logs) {
      const path = logFileName(this.#dir, n);
      const res = readWal(this.#fs.readFile(path), { file: path });
      if (res.corruptions.length > 0) {
        const c = res.corruptions[0]!;
        throw new CorruptionError(
          `Cannot replay WAL "${path}": ${c.reason} at offset ${c.offset} (${c.bytes} bytes dropped)`,
          { file: path },
        );
      }
      for (const rec of res.records) {
        const b = decodeBatch(rec, path);
        b.ops.forEach((op, i) => mem.add(b.seq + i, op.type, op.key, op.value));
        maxSeq = Math.max(maxSeq, b.seq + b.ops.length - 1);
      }
    }
    vs.lastSeq = maxSeq;
    this.#visibleSeq = maxSeq;
    const edit: { addFiles?: { level: number; file: FileMeta }[] } = {};
    if (mem.count > 0) edit.addFiles = [{ level: 0, file: await this.#writeLevel0(mem) }];
    await this.#newWal();
    await vs.logAndApply({ ...edit, logNumber: this.#walNumber, lastSeq: maxSeq });
    this.#deleteObsoleteFiles();
    if (this.#o.durability !== "sync") {
      this.#timer = setInterval(() => void this.#syncWal(), this.#o.durability.intervalMs);
      Deno.unrefTimer(Number(this.#timer));
    }
    this.#maybeScheduleBackground();
  }

  async #newWal(): Promise<void> {
    const n = this.#vs.newFileNumber();
    const w = new WalWriter(this.#fs.openWritable(logFileName(this.#dir, n)));
    await w.sync();
    await this.#fs.syncDir(this.#dir);
    this.#wal = w;
    this.#walNumber = n;
  }

  async #syncWal(): Promise<void> {
    if (!this.#walDirty || this.#closed) return;
    this.#walDirty = false;
    try {
      await this.#wal.sync();
    } catch (e) {
      this.#fail(e);
    }
  }

  // ---- writes ----

  /** Stores `value` under `key`. Resolves once durable (see {@linkcode Durability}). */
  put(key: Uint8Array | string, value: Uint8Array | string, options?: WriteOptions): Promise<void> {
    return this.write(new WriteBatch().put(key, value), options);
  }

  /** Deletes `key` (writes a tombstone). */
  delete(key: Uint8Array | string, options?: WriteOptions): Promise<void> {
    return this.write(new WriteBatch().delete(key), options);
  }

  /**
   * Applies a batch atomically: after any crash either all of its operations are present or none.
   *
   * @throws {IOError} The store is closed or a background error made it read-only.
   */
  write(batch: WriteBatch, options: WriteOptions = {}): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new IOError(`Cannot write to "${this.#dir}": the store is closed`));
    }
    if (this.#bgError) return Promise.reject(this.#readOnlyError());
    if (batch.count === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#pending.push({ ops: batch.ops.slice(), sync: options.sync, resolve, reject });
      this.#startWriteLoop();
    });
  }

  #readOnlyError(): IOError {
    return new IOError(`Cannot write to "${this.#dir}": a background error made the store read-only`, {
      cause: this.#bgError,
    });
  }

  #startWriteLoop(): void {
    if (this.#writing) return;
    this.#writing = this.#writeLoop();
  }

  /** INVARIANT: `#writing` is cleared in the same synchronous step that finds the queue empty. */
  async #writeLoop(): Promise<void> {
    await undefined; // let #startWriteLoop store the promise before the loop can clear it
    for (;;) {
      if (this.#pending.length === 0) {
        this.#writing = undefined;
        return;
      }
      let group: PendingWrite[] = [];
      const head = this.#pending[0]!;
      if (head.rotate) {
        this.#pending.shift();
        try {
          while (this.#imm && !this.#bgError) await this.#waitForBackground();
          if (this.#bgError) throw this.#readOnlyError();
          if (this.#mem.count > 0) await this.#rotateMemtable();
          head.resolve();
        } catch (e) {
          head.reject(e);
        }
        continue;
      }
      try {
        await this.#makeRoomForWrite();
        let bytes = 0;
        while (
          this.#pending.length > 0 && !this.#pending[0]!.rotate && (group.length === 0 || bytes < 1 << 20)
        ) {
          const w = this.#pending.shift()!;
          group.push(w);
          for (const op of w.ops) bytes += op.key.length + op.value.length;
        }
        let seq = this.#vs.lastSeq + 1;
        const first = seq;
        for (const w of group) {
          encodeBatch(w.ops, seq, this.#buf);
          this.#wal.addRecord(this.#buf.view());
          this.#s.walBytes += this.#buf.length + 7;
          seq += w.ops.length;
        }
        this.#vs.lastSeq = seq - 1;
        const needSync = this.#o.durability === "sync"
          ? group.some((w) => w.sync !== false)
          : group.some((w) => w.sync === true);
        if (needSync) await this.#wal.sync();
        else this.#walDirty = true;
        seq = first;
        for (const w of group) {
          for (const op of w.ops) {
            this.#mem.add(seq++, op.type, op.key, op.value);
            this.#s.userBytes += op.key.length + op.value.length;
          }
        }
        this.#visibleSeq = seq - 1;
        for (const w of group) w.resolve();
      } catch (e) {
        if (group.length === 0) group = this.#pending.splice(0);
        if (!this.#bgError) this.#fail(e);
        for (const w of group) w.reject(e);
      }
    }
  }

  async #makeRoomForWrite(): Promise<void> {
    for (;;) {
      if (this.#bgError) throw this.#readOnlyError();
      if (this.#mem.approximateBytes() < this.#o.memtableBytes) return;
      const l0Stall = this.#o.autoCompaction &&
        this.#vs.current.levels[0]!.length >= this.#o.l0StopWritesTrigger;
      if (this.#imm || l0Stall) {
        await this.#waitForBackground();
        continue;
      }
      await this.#rotateMemtable();
    }
  }

  #waitForBackground(): Promise<void> {
    this.#maybeScheduleBackground();
    return new Promise<void>((r) => this.#waiters.push(r));
  }

  /** REQUIRES: called from the write loop, with no immutable memtable. */
  async #rotateMemtable(): Promise<void> {
    const old = this.#wal;
    await old.sync();
    await this.#newWal();
    old.close();
    this.#imm = this.#mem;
    this.#mem = new SkipListMemtable();
    this.#maybeScheduleBackground();
  }

  #fail(e: unknown): void {
    if (this.#bgError) return;
    this.#bgError = e;
    this.#onBgError?.(e);
    for (const w of this.#waiters.splice(0)) w();
  }

  // ---- reads ----

  /**
   * Reads the newest value of `key` (as of `snapshot` if given), or undefined.
   *
   * @throws {CorruptionError} A table block fails its checksum; the message names the file.
   */
  get(key: Uint8Array | string, options: { snapshot?: Snapshot } = {}): Uint8Array | undefined {
    const k = toBytes(key);
    const seq = options.snapshot?.seq ?? this.#visibleSeq;
    const r = this.#mem.get(k, seq) ?? this.#imm?.get(k, seq);
    if (r) return r.type === TYPE_VALUE ? r.value : undefined;
    const v = this.#vs.current;
    for (const f of v.levels[0]!) {
      if (!inRange(k, f)) continue;
      const t = this.#tables.get(f.number).get(k, seq);
      if (t) return t.type === TYPE_VALUE ? t.value.slice() : undefined;
    }
    for (let l = 1; l < NUM_LEVELS; l++) {
      const f = v.fileFor(l, k);
      if (!f) continue;
      const t = this.#tables.get(f.number).get(k, seq);
      if (t) return t.type === TYPE_VALUE ? t.value.slice() : undefined;
    }
    return undefined;
  }

  /** Like {@linkcode T4DX.get}, decoded as UTF-8. */
  getString(key: Uint8Array | string, options: { snapshot?: Snapshot } = {}): string | undefined {
    const v = this.get(key, options);
    return v === undefined ? undefined : new TextDecoder().decode(v);
  }

  /** Takes a snapshot of the current state. Release it when done. */
  snapshot(): Snapshot {
    const seq = this.#visibleSeq;
    this.#snapshots.set(seq, (this.#snapshots.get(seq) ?? 0) + 1);
    let live = true;
    return {
      seq,
      release: () => {
        if (!live) return;
        live = false;
        const n = this.#snapshots.get(seq)! - 1;
        if (n === 0) this.#snapshots.delete(seq);
        else this.#snapshots.set(seq, n);
      },
    };
  }

  /**
   * A cursor over user keys in order, with the newest value as of the snapshot (or now). It pins the
   * tables it reads: call `close()` (or iterate it to the end) so they can be deleted.
   *
   * @example Prefix scan
   * ```ts
   * import { T4DX } from "./db.ts";
   * const dir = Deno.makeTempDirSync();
   * const db = await T4DX.open(dir);
   * await db.put("a:1", "x"); await db.put("a:2", "y"); await db.put("b:1", "z");
   * const keys = [...db.iterator({ prefix: "a:" })].map(([k]) => new TextDecoder().decode(k));
   * if (keys.join() !== "a:1,a:2") throw new Error(`got ${keys}`);
   * await db.close();
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  iterator(options: IteratorOptions = {}): DbIterator {
    const v = this.#vs.current;
    this.#pin(v, 1);
    const children: InternalIterator[] = [this.#mem.iterator()];
    if (this.#imm) children.push(this.#imm.iterator());
    for (const f of v.levels[0]!) children.push(this.#tables.get(f.number).iterator());
    for (let l = 1; l < NUM_LEVELS; l++) {
      const files = v.levels[l]!;
      if (files.length > 0) children.push(new LevelIterator(files, (n) => this.#tables.get(n).iterator()));
    }
    const bound = (b: Uint8Array | string | undefined) => b === undefined ? undefined : toBytes(b);
    const o: ConstructorParameters<typeof DbIterator>[1] = {
      snapshotSeq: options.snapshot?.seq ?? this.#visibleSeq,
      onClose: () => {
        if (this.#pin(v, -1)) this.#deleteObsoleteFiles();
      },
    };
    for (const name of ["gt", "gte", "lt", "lte", "prefix"] as const) {
      const b = bound(options[name]);
      if (b) o[name] = b;
    }
    return new DbIterator(new MergingIterator(children), o);
  }

  /**
   * Pins (`d = 1`) or unpins (`d = -1`) a version so that its tables outlive it while an iterator or a
   * compaction reads them. Returns true when an old version lost its last pin (files may be freed).
   */
  #pin(v: Version, d: number): boolean {
    const c = (this.#pins.get(v) ?? 0) + d;
    if (c > 0) {
      this.#pins.set(v, c);
      return false;
    }
    this.#pins.delete(v);
    return v !== this.#vs.current;
  }

  // ---- flush and compaction ----

  /** Writes the memtable to a level-0 table and waits until it is installed. */
  async flush(): Promise<void> {
    if (this.#closed) throw new IOError(`Cannot flush "${this.#dir}": the store is closed`);
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ rotate: true, ops: [], sync: undefined, resolve, reject });
      this.#startWriteLoop();
    });
    while (this.#imm && !this.#bgError) await this.#waitForBackground();
    if (this.#bgError) throw this.#readOnlyError();
  }

  /**
   * Flushes, then compacts every table into the deepest level, running the compaction filter over every
   * live value and dropping every tombstone and shadowed version no snapshot needs.
   */
  compact(): Promise<void> {
    const p = this.#compactQueue.then(() => this.#compactNow());
    this.#compactQueue = p.catch(() => {});
    return p;
  }

  async #compactNow(): Promise<void> {
    await this.flush();
    while (this.#bg) await this.#bg;
    this.#manual = true;
    try {
      while (this.#bg) await this.#bg;
      const pick = pickFullCompaction(this.#vs.current);
      if (pick) await this.#compactOnce(pick);
    } finally {
      this.#manual = false;
    }
    this.#deleteObsoleteFiles();
    this.#maybeScheduleBackground();
    if (this.#bgError) throw this.#readOnlyError();
  }

  async #drainWrites(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #maybeScheduleBackground(): void {
    if (this.#bg || this.#closed || this.#bgError) return;
    const compactNeeded = this.#o.autoCompaction && this.#pick() !== undefined;
    if (!this.#imm && !compactNeeded) return;
    this.#bg = this.#backgroundLoop().finally(() => {
      this.#bg = undefined;
      for (const w of this.#waiters.splice(0)) w();
      if (!this.#closed && !this.#bgError && (this.#imm || (this.#o.autoCompaction && this.#pick()))) {
        this.#maybeScheduleBackground();
      }
    });
  }

  #pick(): CompactionPick | undefined {
    if (this.#manual) return undefined;
    return pickCompaction(this.#vs.current, this.#pointers, {
      l0Trigger: this.#o.l0CompactionTrigger,
      levelBaseBytes: this.#o.levelBaseBytes,
      levelMultiplier: this.#o.levelMultiplier,
    });
  }

  async #backgroundLoop(): Promise<void> {
    try {
      await pause();
      if (this.#imm) await this.#flushImmutable();
      while (!this.#closed && this.#o.autoCompaction) {
        const pick = this.#pick();
        if (!pick) break;
        await this.#compactOnce(pick);
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  async #writeLevel0(mem: Memtable): Promise<FileMeta> {
    const n = this.#vs.newFileNumber();
    this.#pendingOutputs.add(n);
    const w = new SSTableWriter(this.#fs.openWritable(tableFileName(this.#dir, n)), {
      blockSize: this.#o.blockSize,
      bloomBitsPerKey: this.#o.bloomBitsPerKey,
    });
    const it = mem.iterator();
    let i = 0;
    for (it.seekToFirst(); it.valid(); it.next()) {
      w.add(it.key(), it.seq(), it.type(), it.value());
      if (++i % 8192 === 0) await pause();
    }
    const m = await w.finish();
    await this.#fs.syncDir(this.#dir);
    this.#s.flushes++;
    this.#s.flushBytes += m.size;
    return {
      number: n,
      size: m.size,
      entries: m.entries,
      smallestKey: m.smallestKey,
      smallestSeq: m.smallestSeq,
      largestKey: m.largestKey,
      largestSeq: m.largestSeq,
    };
  }

  #flushImmutable(): Promise<void> {
    this.#flushing ??= this.#flushImmutableOnce().finally(() => this.#flushing = undefined);
    return this.#flushing;
  }

  async #flushImmutableOnce(): Promise<void> {
    const imm = this.#imm;
    if (!imm) return;
    const file = await this.#writeLevel0(imm);
    await this.#vs.logAndApply({ addFiles: [{ level: 0, file }], logNumber: this.#walNumber });
    this.#pendingOutputs.delete(file.number);
    this.#imm = undefined;
    this.#deleteObsoleteFiles(); // a failure here reaches the waiters through #fail as a background error
    for (const w of this.#waiters.splice(0)) w();
  }

  async #compactOnce(pick: CompactionPick): Promise<void> {
    const v = this.#vs.current;
    this.#pin(v, 1);
    try {
      const inputs = [...pick.inputs, ...pick.nextInputs];
      const children: InternalIterator[] = [];
      if (pick.level === 0) {
        for (const f of pick.inputs) children.push(this.#tables.get(f.number).iterator());
      } else {
        children.push(new LevelIterator(pick.inputs, (n) => this.#tables.get(n).iterator()));
      }
      if (pick.nextInputs.length > 0) {
        children.push(new LevelIterator(pick.nextInputs, (n) => this.#tables.get(n).iterator()));
      }
      const deeper = v.levels.slice(pick.outputLevel + 1);
      const res = await runCompaction({
        fs: this.#fs,
        dir: this.#dir,
        input: new MergingIterator(children),
        outputLevel: pick.outputLevel,
        smallestSnapshot: this.#smallestSnapshot(),
        isBaseLevel: (key) => deeper.every((lv) => lv.every((f) => !inRange(key, f))),
        newFileNumber: () => this.#vs.newFileNumber(),
        targetFileBytes: this.#o.targetFileBytes,
        writerOptions: { blockSize: this.#o.blockSize, bloomBitsPerKey: this.#o.bloomBitsPerKey },
        filter: this.#filter,
        pendingOutputs: this.#pendingOutputs,
        pause: async () => {
          await pause();
          if (this.#imm) await this.#flushImmutable();
        },
      });
      const levelOf = new Map<number, number>();
      v.levels.forEach((lv, l) => lv.forEach((f) => levelOf.set(f.number, l)));
      await this.#vs.logAndApply({
        deleteFiles: inputs.map((f) => ({ level: levelOf.get(f.number)!, number: f.number })),
        addFiles: res.outputs.map((file) => ({ level: pick.outputLevel, file })),
      });
      for (const f of res.outputs) this.#pendingOutputs.delete(f.number);
      this.#s.compactions++;
      this.#s.compactionBytes += res.bytesWritten;
      this.#filtered.dropped += res.filtered.dropped;
      this.#filtered.rewritten += res.filtered.rewritten;
      this.#filtered.emitted += res.emitted.length;
      if (res.emitted.length > 0) await this.#writeEmitted(res.emitted);
    } finally {
      this.#pin(v, -1);
    }
    this.#deleteObsoleteFiles();
  }

  async #writeEmitted(records: EmittedRecord[]): Promise<void> {
    const b = new WriteBatch();
    for (const r of records) {
      if (r.value === undefined) b.delete(r.key);
      else b.put(r.key, r.value);
    }
    await this.write(b);
  }

  #smallestSnapshot(): number {
    let s = this.#visibleSeq;
    for (const seq of this.#snapshots.keys()) if (seq < s) s = seq;
    return s;
  }

  #deleteObsoleteFiles(): void {
    if (this.#closed) return;
    const live = this.#vs.current.liveFiles();
    for (const v of this.#pins.keys()) for (const n of v.liveFiles()) live.add(n);
    for (const name of this.#fs.list(this.#dir)) {
      const p = parseFileName(name);
      let remove = false;
      if (p.kind === "table") {
        remove = !live.has(p.number) && !this.#pendingOutputs.has(p.number);
      } else if (p.kind === "log") {
        remove = p.number < this.#vs.logNumber && p.number !== this.#walNumber;
      } else if (p.kind === "manifest") {
        remove = p.number !== this.#vs.manifestNumber;
      } else if (p.kind === "temp") {
        remove = true;
      }
      if (!remove) continue;
      if (p.kind === "table") this.#tables.evict(p.number);
      this.#fs.remove(`${this.#dir}/${name}`);
    }
  }

  // ---- stats and close ----

  /** Levels, files, sizes, counters and write amplification. */
  stats(): EngineStats {
    const v = this.#vs.current;
    const s = this.#s;
    return {
      levels: v.levels.map((lv, level) => ({ level, files: lv.length, bytes: v.levelBytes(level) })),
      memtableBytes: this.#mem.approximateBytes(),
      immutableMemtable: this.#imm !== undefined,
      lastSeq: this.#visibleSeq,
      walNumber: this.#walNumber,
      manifestNumber: this.#vs.manifestNumber,
      flushes: s.flushes,
      compactions: s.compactions,
      userBytes: s.userBytes,
      walBytes: s.walBytes,
      flushBytes: s.flushBytes,
      compactionBytes: s.compactionBytes,
      writeAmplification: s.userBytes === 0
        ? 0
        : (s.walBytes + s.flushBytes + s.compactionBytes) / s.userBytes,
      filter: { ...this.#filtered },
      snapshots: [...this.#snapshots.values()].reduce((a, b) => a + b, 0),
    };
  }

  /** The store's directory. */
  get path(): string {
    return this.#dir;
  }

  /** The version's table layout as text, one table a line. */
  debugLayout(): string {
    return this.#vs.current.toDebugString();
  }

  /**
   * Waits for queued writes and background work, syncs the WAL, and releases the directory lock.
   * Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#drainWrites();
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    while (this.#bg) await this.#bg;
    try {
      if (!this.#bgError) await this.#wal.sync();
    } finally {
      this.#wal.close();
      this.#tables.close();
      this.#vs.close();
      this.#lock.release();
    }
  }
}

function inRange(key: Uint8Array, f: FileMeta): boolean {
  return compareBytes(key, f.smallestKey) >= 0 && compareBytes(key, f.largestKey) <= 0;
}
