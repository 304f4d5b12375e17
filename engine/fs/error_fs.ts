/**
 * An {@linkcode Fs} wrapper that injects failures, for fault-injection tests: a rule names the operation
 * (`"append"`, `"sync"`, `"rename"`, ...), a path glob and optionally the n-th matching call, and the
 * matching calls throw an {@linkcode IOError} (or reject, for the asynchronous `sync` and `syncDir`)
 * without reaching the wrapped file system. Every call is counted, and an `onCall` hook sees each one
 * before it runs, so a test can also crash-clone a {@linkcode MemFs} at an exact point.
 *
 * @module
 */
import { IOError } from "../errors.ts";
import type { FileLock, Fs, RandomAccessFile, WritableFile } from "./fs.ts";

/** The operations {@linkcode ErrorFs} counts and can fail: the `Fs` methods and the file-handle methods. */
export type FsOp =
  | "openWritable"
  | "openRandom"
  | "readFile"
  | "exists"
  | "list"
  | "remove"
  | "rename"
  | "mkdirp"
  | "syncDir"
  | "truncate"
  | "lock"
  | "append"
  | "sync"
  | "size"
  | "read"
  | "close";

/** One call seen by {@linkcode ErrorFs}. */
export interface FsCall {
  /** The operation. */
  op: FsOp;
  /** The file or directory it is on (for `rename`, the source). */
  path: string;
  /** For `rename`, the target. */
  to?: string;
}

/** What to fail. Every given field must match; an absent field matches everything. */
export interface FaultRule {
  /** Operation or operations to fail. @default every operation */
  op?: FsOp | readonly FsOp[];
  /** Path glob: `*` matches any run of characters (slashes included); a `rename` matches if its source
   * or its target matches. @default every path */
  path?: string;
  /** Fail only the n-th matching call (1-based, counted from when the rule was added). @default every
   * matching call */
  nth?: number;
  /** Fail at most this many calls, then stop. @default 1 with `nth`, otherwise unlimited */
  times?: number;
  /** Builds the error to throw. @default an IOError whose message starts "Injected failure" */
  error?: (call: FsCall) => Error;
}

/** A rule added by {@linkcode ErrorFs.inject}, with its counters and a switch. */
export interface Fault {
  /** Matching calls seen while armed. */
  readonly matched: number;
  /** Calls it failed. */
  readonly fired: number;
  /** Whether it is active. */
  readonly armed: boolean;
  /** Turns it back on (counters keep their values). */
  arm(): void;
  /** Turns it off. */
  disarm(): void;
}

/** Options of {@linkcode ErrorFs}. */
export interface ErrorFsOptions {
  /** Called with every call before it runs (and before rules are checked). @default none */
  onCall?: (call: FsCall) => void;
}

class Rule implements Fault {
  matched = 0;
  fired = 0;
  armed = true;
  readonly #ops: ReadonlySet<FsOp> | undefined;
  readonly #path: RegExp | undefined;
  readonly #nth: number | undefined;
  readonly #times: number;
  readonly #error: ((call: FsCall) => Error) | undefined;
  constructor(r: FaultRule) {
    if (r.nth !== undefined && (!Number.isInteger(r.nth) || r.nth < 1)) {
      throw new RangeError(`Cannot add fault rule: nth must be a positive integer, got ${r.nth}`);
    }
    this.#ops = r.op === undefined ? undefined : new Set(typeof r.op === "string" ? [r.op] : r.op);
    this.#path = r.path === undefined ? undefined : globToRegExp(r.path);
    this.#nth = r.nth;
    this.#times = r.times ?? (r.nth === undefined ? Infinity : 1);
    this.#error = r.error;
  }
  arm(): void {
    this.armed = true;
  }
  disarm(): void {
    this.armed = false;
  }
  /** Returns the error to throw for `call`, if this rule fails it. */
  check(call: FsCall): Error | undefined {
    if (!this.armed || (this.#ops && !this.#ops.has(call.op))) return undefined;
    const p = this.#path;
    if (p && !p.test(call.path) && !(call.to !== undefined && p.test(call.to))) return undefined;
    this.matched++;
    if (this.fired >= this.#times) return undefined;
    if (this.#nth !== undefined && this.matched < this.#nth) return undefined;
    this.fired++;
    return this.#error?.(call) ??
      new IOError(
        `Injected failure: ${call.op} "${call.path}"${call.to === undefined ? "" : ` to "${call.to}"`}`,
        {
          file: call.path,
        },
      );
  }
}

/**
 * Converts a glob where `*` matches any run of characters into an anchored regular expression.
 *
 * @param glob The pattern, for example `"/db/*.sst"`.
 * @returns A RegExp matching whole paths.
 *
 * @example Table files match, a longer name does not
 * ```ts
 * import { globToRegExp } from "./error_fs.ts";
 * if (!globToRegExp("/db/*.sst").test("/db/000012.sst")) throw new Error("should match");
 * if (globToRegExp("*.log").test("a.log.tmp")) throw new Error("should not match");
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}$`, "s");
}

/**
 * A file system that fails chosen calls of the one it wraps.
 *
 * Concurrency: like the wrapped file system; rules and counters are plain fields updated synchronously
 * at the start of each call, so they may be changed between any two calls.
 *
 * @example Fail the second sync of a WAL, then recover
 * ```ts
 * import { ErrorFs } from "./error_fs.ts";
 * import { MemFs } from "./mem_fs.ts";
 * import { isIOError } from "../errors.ts";
 * const fs = new ErrorFs(new MemFs());
 * const fault = fs.inject({ op: "sync", path: "*.log", nth: 2 });
 * const f = fs.openWritable("/000001.log");
 * await f.sync();
 * const failed = await f.sync().then(() => false, (e) => isIOError(e));
 * await f.sync(); // the rule fired once and is spent
 * if (!failed || fault.fired !== 1 || fs.count("sync") !== 3) throw new Error("rule did not fire once");
 * ```
 */
export class ErrorFs implements Fs {
  readonly #inner: Fs;
  #rules: Rule[] = [];
  #counts = new Map<string, number>();
  /** Called with every call before it runs; may be replaced at any time. */
  onCall: ((call: FsCall) => void) | undefined;

  /**
   * @param inner The file system that does the work.
   * @param options An optional per-call hook.
   */
  constructor(inner: Fs, options: ErrorFsOptions = {}) {
    this.#inner = inner;
    this.onCall = options.onCall;
  }

  /** The wrapped file system. */
  get inner(): Fs {
    return this.#inner;
  }

  /**
   * Adds a failure rule, armed at once.
   *
   * @param rule What to fail.
   * @returns A handle to read its counters and to disarm or re-arm it.
   * @throws {RangeError} `nth` is not a positive integer.
   */
  inject(rule: FaultRule): Fault {
    const r = new Rule(rule);
    this.#rules.push(r);
    return r;
  }

  /** Removes every rule. Counters of calls are kept. */
  clear(): void {
    this.#rules = [];
  }

  /** Zeroes the call counters. */
  resetCounts(): void {
    this.#counts.clear();
  }

  /**
   * Counts calls made so far (failed ones included), optionally only of one operation and paths
   * matching a glob.
   *
   * @param op The operation, or every operation if absent.
   * @param path A glob on the call's path, or every path if absent.
   * @returns The number of calls.
   */
  count(op?: FsOp, path?: string): number {
    const re = path === undefined ? undefined : globToRegExp(path);
    let n = 0;
    for (const [key, c] of this.#counts) {
      const i = key.indexOf(" ");
      if (op !== undefined && key.slice(0, i) !== op) continue;
      if (re && !re.test(key.slice(i + 1))) continue;
      n += c;
    }
    return n;
  }

  /** Records the call, runs the hook and throws if a rule fails it. */
  #enter(op: FsOp, path: string, to?: string): void {
    const key = `${op} ${path}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    const call: FsCall = to === undefined ? { op, path } : { op, path, to };
    this.onCall?.(call);
    for (const r of this.#rules) {
      const e = r.check(call);
      if (e) throw e;
    }
  }

  /** Runs `f` after {@linkcode ErrorFs.#enter} lets the call through. */
  #call<T>(op: FsOp, path: string, f: () => T): T {
    this.#enter(op, path);
    return f();
  }

  /** Like `#call`, but a failure rejects the promise instead of throwing. */
  #callAsync(op: FsOp, path: string, f: () => Promise<void>): Promise<void> {
    try {
      this.#enter(op, path);
    } catch (e) {
      return Promise.reject(e);
    }
    return f();
  }

  openWritable(path: string, options?: { append?: boolean }): WritableFile {
    const f = this.#call("openWritable", path, () => this.#inner.openWritable(path, options));
    return {
      path,
      append: (data) => this.#call("append", path, () => f.append(data)),
      sync: () => this.#callAsync("sync", path, () => f.sync()),
      size: () => this.#call("size", path, () => f.size()),
      close: () => this.#call("close", path, () => f.close()),
    };
  }
  openRandom(path: string): RandomAccessFile {
    const f = this.#call("openRandom", path, () => this.#inner.openRandom(path));
    return {
      path,
      size: () => this.#call("size", path, () => f.size()),
      read: (offset, length) => this.#call("read", path, () => f.read(offset, length)),
      close: () => this.#call("close", path, () => f.close()),
    };
  }
  readFile(path: string): Uint8Array {
    return this.#call("readFile", path, () => this.#inner.readFile(path));
  }
  exists(path: string): boolean {
    return this.#call("exists", path, () => this.#inner.exists(path));
  }
  list(dir: string): string[] {
    return this.#call("list", dir, () => this.#inner.list(dir));
  }
  remove(path: string): void {
    this.#call("remove", path, () => this.#inner.remove(path));
  }
  rename(from: string, to: string): void {
    this.#enter("rename", from, to);
    this.#inner.rename(from, to);
  }
  mkdirp(dir: string): void {
    this.#call("mkdirp", dir, () => this.#inner.mkdirp(dir));
  }
  syncDir(dir: string): Promise<void> {
    return this.#callAsync("syncDir", dir, () => this.#inner.syncDir(dir));
  }
  truncate(path: string, size: number): void {
    this.#call("truncate", path, () => this.#inner.truncate(path, size));
  }
  lock(path: string): FileLock {
    return this.#call("lock", path, () => this.#inner.lock(path));
  }
}
