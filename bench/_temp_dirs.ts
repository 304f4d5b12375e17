/**
 * Temporary directories of a benchmark run, removed when the run is interrupted (SIGINT, SIGTERM) as
 * well as when each is done with.
 *
 * @module
 */

/** The temporary directories of one run. Call `watchSignals()` at the start and `unwatchSignals()` at the end. */
export class TempDirs {
  readonly #prefix: string;
  readonly #live = new Set<string>();
  readonly #onSignal = () => {
    for (const dir of this.#live) Deno.removeSync(dir, { recursive: true });
    console.error(`Interrupted: removed ${this.#live.size} temp dirs`);
    Deno.exit(130);
  };

  /** @param prefix Name prefix of the directories, e.g. "t4dx_bench_". */
  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** A new empty directory, tracked until `remove`. */
  make(): string {
    const dir = Deno.makeTempDirSync({ prefix: this.#prefix });
    this.#live.add(dir);
    return dir;
  }

  /** Deletes `dir` and everything in it. */
  remove(dir: string): void {
    Deno.removeSync(dir, { recursive: true });
    this.#live.delete(dir);
  }

  /** Deletes every directory still live. */
  removeAll(): void {
    for (const dir of [...this.#live]) this.remove(dir);
  }

  /** Runs `fn` on a fresh directory, removed afterwards whatever happens. */
  async with<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = this.make();
    try {
      return await fn(dir);
    } finally {
      this.remove(dir);
    }
  }

  /** Removes the live directories and exits 130 on SIGINT or SIGTERM. */
  watchSignals(): void {
    Deno.addSignalListener("SIGINT", this.#onSignal);
    Deno.addSignalListener("SIGTERM", this.#onSignal);
  }

  /** Undoes {@linkcode TempDirs.watchSignals}. */
  unwatchSignals(): void {
    Deno.removeSignalListener("SIGINT", this.#onSignal);
    Deno.removeSignalListener("SIGTERM", this.#onSignal);
  }
}
