/**
 * The file-system interface the engine does all its I/O through. Reads and appends are synchronous
 * (the engine is embedded in one JavaScript thread and point reads must not pay for a promise each);
 * the durability barriers `sync()` and `syncDir()` are asynchronous so that writers can queue up behind
 * an fsync in flight (group commit).
 *
 * Three implementations: {@linkcode RealFs} (node:fs), {@linkcode MemFs} (RAM, with `crashClone()` that
 * keeps only what was synced) and {@linkcode ErrorFs} (injects failures).
 *
 * @module
 */

/** A file open for appending. */
export interface WritableFile {
  /** The path it was opened at. */
  readonly path: string;
  /** Appends bytes; they reach the OS at once but are durable only after {@linkcode WritableFile.sync}. */
  append(data: Uint8Array): void;
  /** Makes everything appended so far durable (fdatasync). */
  sync(): Promise<void>;
  /** Bytes in the file. */
  size(): number;
  /** Closes the handle. Idempotent. */
  close(): void;
}

/** A file open for positioned reads. */
export interface RandomAccessFile {
  /** The path it was opened at. */
  readonly path: string;
  /** Bytes in the file when it was opened. */
  size(): number;
  /** Reads up to `length` bytes at `offset`; fewer only at the end of the file. */
  read(offset: number, length: number): Uint8Array;
  /** Closes the handle. Idempotent. */
  close(): void;
}

/** An exclusive lock on a directory, held until released or the process dies. */
export interface FileLock {
  /** Releases the lock. Idempotent. */
  release(): void;
}

/** File-system operations used by the engine. Paths are plain strings joined with "/". */
export interface Fs {
  /** Creates (or truncates) a file for appending; `append: true` keeps existing content. */
  openWritable(path: string, options?: { append?: boolean }): WritableFile;
  /** Opens an existing file for positioned reads; throws {@linkcode NotFoundError} if absent. */
  openRandom(path: string): RandomAccessFile;
  /** Reads a whole file; throws {@linkcode NotFoundError} if absent. */
  readFile(path: string): Uint8Array;
  /** Whether a file or directory exists. */
  exists(path: string): boolean;
  /** Names (not paths) of the entries of a directory, sorted. */
  list(dir: string): string[];
  /** Removes a file; absent files are ignored. */
  remove(path: string): void;
  /** Atomically renames a file, replacing the target. */
  rename(from: string, to: string): void;
  /** Creates a directory and its parents. */
  mkdirp(dir: string): void;
  /** Makes the directory's entries (creations, renames, removals) durable. */
  syncDir(dir: string): Promise<void>;
  /** Cuts a file to `size` bytes. */
  truncate(path: string, size: number): void;
  /** Takes an exclusive lock; throws {@linkcode IOError} if another holder has it. */
  lock(path: string): FileLock;
}

/** Joins path segments with "/". */
export function joinPath(...parts: string[]): string {
  return parts.join("/").replace(/\/+/g, "/");
}

/** The directory part of a path. */
export function dirName(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}
