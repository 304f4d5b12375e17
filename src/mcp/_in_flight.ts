/**
 * Counts the calls in flight so that a transport can let them finish before the store closes.
 *
 * @module
 */

/**
 * Tracks promises and tells when none is pending.
 *
 * Concurrency: `track` and `idle` may be called at any time from any task.
 *
 * @example
 * ```ts
 * import { InFlight } from "./_in_flight.ts";
 * const inFlight = new InFlight();
 * let done = false;
 * void inFlight.track(new Promise((r) => setTimeout(r, 10)).then(() => (done = true)));
 * await inFlight.idle(1000);
 * if (!done) throw new Error("idle() returned early");
 * ```
 */
export class InFlight {
  #pending = 0;
  #waiters: (() => void)[] = [];

  /** Number of tracked promises not yet settled. */
  get pending(): number {
    return this.#pending;
  }

  /** Tracks `p` and returns it unchanged. */
  readonly track = <T>(p: Promise<T>): Promise<T> => {
    this.#pending++;
    const settle = () => {
      if (--this.#pending === 0) { for (const w of this.#waiters.splice(0)) w(); }
    };
    p.then(settle, settle);
    return p;
  };

  /**
   * Resolves once nothing is pending, or after `timeoutMs`.
   *
   * @returns True when idle, false on time-out.
   */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
