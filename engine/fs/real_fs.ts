/**
 * {@linkcode Fs} on the real file system through `node:fs`, with `flock` for the directory lock.
 *
 * @module
 */
import * as nfs from "node:fs";
import { IOError, NotFoundError } from "../errors.ts";
import type { FileLock, Fs, RandomAccessFile, WritableFile } from "./fs.ts";

function wrap(e: unknown, action: string, path: string): Error {
  const code = e instanceof Deno.errors.NotFound ? "ENOENT" : (e as { code?: string }).code;
  const msg = `${action} "${path}": ${(e as Error).message ?? String(e)}`;
  if (code === "ENOENT") return new NotFoundError(msg, { file: path, cause: e });
  return new IOError(msg, { file: path, cause: e });
}

/**
 * Appends through a `Deno.FsFile`: its asynchronous `syncData()` measured 0.15 ms per 1 KiB append +
 * fdatasync on this machine against 0.7–1.0 ms for `node:fs` `fdatasync` (which goes through libuv's
 * thread pool and duplicates the descriptor on every call).
 */
class RealWritable implements WritableFile {
  readonly path: string;
  #file: Deno.FsFile | undefined;
  #size: number;
  #inflight = 0;
  #closing = false;
  constructor(path: string, append: boolean) {
    this.path = path;
    try {
      this.#file = Deno.openSync(path, { write: true, create: true, append, truncate: !append });
      this.#size = this.#file.statSync().size;
    } catch (e) {
      throw wrap(e, "Cannot open for writing", path);
    }
  }
  append(data: Uint8Array): void {
    if (this.#file === undefined || this.#closing) {
      throw new IOError(`Cannot append to "${this.path}": file is closed`);
    }
    let off = 0;
    try {
      while (off < data.length) off += this.#file.writeSync(data.subarray(off));
    } catch (e) {
      throw wrap(e, "Cannot append to", this.path);
    }
    this.#size += data.length;
  }
  async sync(): Promise<void> {
    const f = this.#file;
    if (f === undefined || this.#closing) throw new IOError(`Cannot sync "${this.path}": file is closed`);
    this.#inflight++;
    try {
      await f.syncData();
    } catch (e) {
      throw wrap(e, "Cannot sync", this.path);
    } finally {
      if (--this.#inflight === 0 && this.#closing) this.#release();
    }
  }
  size(): number {
    return this.#size;
  }
  /** Closes the file; a sync still in flight finishes first (the handle is released after it). */
  close(): void {
    if (this.#file === undefined || this.#closing) return;
    this.#closing = true;
    if (this.#inflight === 0) this.#release();
  }
  #release(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

class RealRandom implements RandomAccessFile {
  readonly path: string;
  #fd: number | undefined;
  readonly #size: number;
  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = nfs.openSync(path, "r");
      this.#size = nfs.fstatSync(this.#fd).size;
    } catch (e) {
      throw wrap(e, "Cannot open for reading", path);
    }
  }
  size(): number {
    return this.#size;
  }
  read(offset: number, length: number): Uint8Array {
    if (this.#fd === undefined) throw new IOError(`Cannot read "${this.path}": file is closed`);
    const buf = new Uint8Array(Math.max(0, Math.min(length, this.#size - offset)));
    let got = 0;
    try {
      while (got < buf.length) {
        const n = nfs.readSync(this.#fd, buf, got, buf.length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      throw wrap(e, "Cannot read", this.path);
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  }
  close(): void {
    if (this.#fd === undefined) return;
    nfs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * The real file system.
 *
 * @example Write, sync and read back
 * ```ts
 * import { RealFs } from "./real_fs.ts";
 * const fs = new RealFs();
 * const dir = Deno.makeTempDirSync();
 * const f = fs.openWritable(`${dir}/a`);
 * f.append(new Uint8Array([1, 2, 3]));
 * await f.sync();
 * f.close();
 * if (fs.readFile(`${dir}/a`).length !== 3) throw new Error("lost bytes");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class RealFs implements Fs {
  openWritable(path: string, options: { append?: boolean } = {}): WritableFile {
    return new RealWritable(path, options.append ?? false);
  }
  openRandom(path: string): RandomAccessFile {
    return new RealRandom(path);
  }
  readFile(path: string): Uint8Array {
    try {
      return nfs.readFileSync(path);
    } catch (e) {
      throw wrap(e, "Cannot read", path);
    }
  }
  exists(path: string): boolean {
    return nfs.existsSync(path);
  }
  list(dir: string): string[] {
    try {
      return nfs.readdirSync(dir).sort();
    } catch (e) {
      throw wrap(e, "Cannot list", dir);
    }
  }
  remove(path: string): void {
    try {
      nfs.rmSync(path, { force: true });
    } catch (e) {
      throw wrap(e, "Cannot remove", path);
    }
  }
  rename(from: string, to: string): void {
    try {
      nfs.renameSync(from, to);
    } catch (e) {
      throw wrap(e, `Cannot rename to "${to}"`, from);
    }
  }
  mkdirp(dir: string): void {
    try {
      nfs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw wrap(e, "Cannot create directory", dir);
    }
  }
  syncDir(dir: string): Promise<void> {
    return new Promise((resolve, reject) => {
      nfs.open(dir, "r", (e, fd) => {
        if (e) return reject(wrap(e, "Cannot open directory", dir));
        nfs.fsync(fd, (e2) => {
          nfs.close(fd, () => e2 ? reject(wrap(e2, "Cannot sync directory", dir)) : resolve());
        });
      });
    });
  }
  truncate(path: string, size: number): void {
    try {
      nfs.truncateSync(path, size);
    } catch (e) {
      throw wrap(e, "Cannot truncate", path);
    }
  }
  lock(path: string): FileLock {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true, write: true, create: true });
    } catch (e) {
      throw wrap(e, "Cannot open lock file", path);
    }
    if (!file.tryLockSync(true)) {
      file.close();
      throw new IOError(
        `Cannot lock "${path}": the directory is in use by another process (only one writer may open a store)`,
        { file: path },
      );
    }
    let held = true;
    return {
      release() {
        if (!held) return;
        held = false;
        file.unlockSync();
        file.close();
      },
    };
  }
}
