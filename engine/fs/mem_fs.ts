/**
 * An in-memory {@linkcode Fs} that models what survives a power cut: `crashClone()` returns a new file
 * system holding, for each directory entry made durable by `syncDir()`, only the bytes made durable by
 * `sync()`. Everything else is lost, exactly as a strict POSIX file system may lose it.
 *
 * @module
 */
import { IOError, NotFoundError } from "../errors.ts";
import { dirName, type FileLock, type Fs, type RandomAccessFile, type WritableFile } from "./fs.ts";

class Node {
  data: Uint8Array;
  len: number;
  synced: number;
  constructor(data = new Uint8Array(64), len = 0, synced = 0) {
    this.data = data;
    this.len = len;
    this.synced = synced;
  }
  append(b: Uint8Array): void {
    if (this.len + b.length > this.data.length) {
      const next = new Uint8Array(Math.max(this.data.length * 2, this.len + b.length));
      next.set(this.data.subarray(0, this.len));
      this.data = next;
    }
    this.data.set(b, this.len);
    this.len += b.length;
  }
}

/**
 * RAM file system with crash simulation.
 *
 * Concurrency: all methods are synchronous except the sync barriers, which resolve on the next
 * microtask; any interleaving is safe.
 *
 * @example Unsynced bytes are lost in a crash
 * ```ts
 * import { MemFs } from "./mem_fs.ts";
 * const fs = new MemFs();
 * fs.mkdirp("/db");
 * const f = fs.openWritable("/db/log");
 * f.append(new Uint8Array([1, 2]));
 * await f.sync();
 * await fs.syncDir("/db");
 * f.append(new Uint8Array([3]));
 * const after = fs.crashClone();
 * if (after.readFile("/db/log").length !== 2) throw new Error("crash kept unsynced bytes");
 * ```
 */
export class MemFs implements Fs {
  #live = new Map<string, Node>();
  #durable = new Map<string, Node>();
  #dirs = new Set<string>(["/", "."]);
  #locks = new Set<string>();

  #get(path: string): Node {
    const n = this.#live.get(path);
    if (!n) throw new NotFoundError(`Cannot open "${path}": no such file`, { file: path });
    return n;
  }
  openWritable(path: string, options: { append?: boolean } = {}): WritableFile {
    if (!this.#dirs.has(dirName(path))) {
      throw new NotFoundError(`Cannot open for writing "${path}": no such directory`, { file: path });
    }
    let node = this.#live.get(path);
    if (!node || !options.append) {
      node = new Node();
      this.#live.set(path, node);
    }
    const n = node;
    let open = true;
    return {
      path,
      append: (b) => {
        if (!open) throw new IOError(`Cannot append to "${path}": file is closed`);
        n.append(b);
      },
      sync: () => {
        n.synced = n.len;
        return Promise.resolve();
      },
      size: () => n.len,
      close: () => {
        open = false;
      },
    };
  }
  openRandom(path: string): RandomAccessFile {
    const n = this.#get(path);
    const size = n.len;
    return {
      path,
      size: () => size,
      read: (offset, length) => n.data.slice(offset, Math.min(offset + length, n.len)),
      close: () => {},
    };
  }
  readFile(path: string): Uint8Array {
    const n = this.#get(path);
    return n.data.slice(0, n.len);
  }
  exists(path: string): boolean {
    return this.#live.has(path) || this.#dirs.has(path);
  }
  list(dir: string): string[] {
    const prefix = dir.endsWith("/") ? dir : dir + "/";
    const out: string[] = [];
    for (const p of [...this.#live.keys(), ...this.#dirs]) {
      if (p.startsWith(prefix) && p.length > prefix.length && !p.slice(prefix.length).includes("/")) {
        out.push(p.slice(prefix.length));
      }
    }
    return out.sort();
  }
  remove(path: string): void {
    this.#live.delete(path);
  }
  rename(from: string, to: string): void {
    const n = this.#get(from);
    this.#live.delete(from);
    this.#live.set(to, n);
  }
  mkdirp(dir: string): void {
    let d = dir;
    while (d !== "/" && d !== "." && !this.#dirs.has(d)) {
      this.#dirs.add(d);
      d = dirName(d);
    }
  }
  syncDir(dir: string): Promise<void> {
    for (const p of [...this.#durable.keys()]) {
      if (dirName(p) === dir && !this.#live.has(p)) this.#durable.delete(p);
    }
    for (const [p, n] of this.#live) if (dirName(p) === dir) this.#durable.set(p, n);
    return Promise.resolve();
  }
  truncate(path: string, size: number): void {
    const n = this.#get(path);
    n.len = Math.min(n.len, size);
    n.synced = Math.min(n.synced, size);
  }
  lock(path: string): FileLock {
    if (this.#locks.has(path)) {
      throw new IOError(`Cannot lock "${path}": the directory is in use by another process`, { file: path });
    }
    this.#locks.add(path);
    let held = true;
    return {
      release: () => {
        if (held) this.#locks.delete(path);
        held = false;
      },
    };
  }
  /** Flips one bit of a stored file in place, for corruption tests. */
  flipBit(path: string, offset: number, bit = 0): void {
    const n = this.#get(path);
    if (offset >= n.len) throw new RangeError(`Cannot flip byte ${offset} of "${path}": size is ${n.len}`);
    n.data[offset]! ^= 1 << bit;
  }
  /**
   * The file system as a power cut would leave it: only entries made durable by `syncDir()`, each with
   * only the bytes made durable by `sync()`. Directories carry over; locks do not.
   */
  crashClone(): MemFs {
    const out = new MemFs();
    for (const d of this.#dirs) out.#dirs.add(d);
    for (const [p, n] of this.#durable) {
      const copy = new Node(n.data.slice(0, Math.max(64, n.synced)), n.synced, n.synced);
      out.#live.set(p, copy);
      out.#durable.set(p, copy);
    }
    return out;
  }
}
