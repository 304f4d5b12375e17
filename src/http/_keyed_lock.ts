/**
 * {@linkcode KeyedLock}: runs async functions one at a time per key.
 *
 * @module
 */

/**
 * A mutex per key. The daemon serialises read-modify-write calls on one memory (update, invalidate,
 * forget, feedback), which the library does not: two overlapping updates of one id would both read
 * version n and both write version n+1.
 *
 * Concurrency: `run` may be called concurrently; calls with the same key run in call order, others
 * overlap freely. Idle keys are dropped, so memory is bounded by the keys in use.
 *
 * @example
 * ```ts
 * import { KeyedLock } from "./_keyed_lock.ts";
 * const lock = new KeyedLock();
 * let x = 0;
 * const bump = () => lock.run("k", async () => { const v = x; await Promise.resolve(); x = v + 1; });
 * await Promise.all([bump(), bump(), bump()]);
 * if (x !== 3) throw new Error(String(x));
 * ```
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` once every earlier call with `key` has settled. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
