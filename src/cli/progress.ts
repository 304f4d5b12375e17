/**
 * A progress report on stderr for long commands (import). On a terminal it redraws one line: a bar,
 * the share done, the count, the rate and the time left. Elsewhere (a pipe, a log file, CI) it prints
 * a plain line every few seconds instead, so logs stay readable.
 *
 * @module
 */

const enc = new TextEncoder();

/** Options of {@linkcode Progress}. */
export interface ProgressOptions {
  /** Prefix of every report, e.g. `"t4dm import"`. */
  label: string;
  /** Total size in bytes, when known (a file); the share done and the ETA need it. @default undefined */
  totalBytes?: number;
  /** Name of the counted items. @default "lines" */
  unit?: string;
  /** Redraw one line in place (stderr is a terminal) rather than print plain lines. */
  tty: boolean;
  /** Where reports go. @default synchronous writes to stderr */
  write?: (text: string) => void;
  /** Source of "now" in ms. @default performance.now */
  clock?: () => number;
  /** Milliseconds between plain lines (not a terminal). @default 2000 */
  interval?: number;
  /** Width of a terminal line. @default the console width, else 100 */
  columns?: number;
}

function writeStderr(text: string): void {
  let p = enc.encode(text);
  while (p.length > 0) p = p.subarray(Deno.stderr.writeSync(p));
}

function consoleColumns(): number {
  try {
    return Deno.consoleSize().columns || 100; // 0 under some pseudo-terminals
  } catch {
    return 100;
  }
}

/** `1234567` as `1,234,567`. */
function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Bytes in B, kB, MB or GB (powers of 1000). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let i = -1;
  do {
    n /= 1000;
    i++;
  } while (n >= 1000 && i < units.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * Reports the progress of a stream of items (lines) read from bytes.
 *
 * Concurrency: synchronous; call `update` as often as you like, it throttles itself.
 *
 * @example Plain lines when stderr is not a terminal
 * ```ts
 * import { Progress } from "./progress.ts";
 * let t = 0;
 * const out: string[] = [];
 * const p = new Progress({ label: "t4dm import", totalBytes: 1000, tty: false, clock: () => t, write: (s) => out.push(s) });
 * t = 2500;
 * p.update(50, 250);
 * if (!out[0]?.includes("25%") || !out[0].includes("ETA 0:08")) throw new Error(out.join(""));
 * ```
 */
export class Progress {
  readonly #o: Required<Omit<ProgressOptions, "totalBytes">> & { totalBytes: number | undefined };
  readonly #start: number;
  #last = -Infinity;
  #drawn = false;
  #items = 0;
  #bytes = 0;

  constructor(options: ProgressOptions) {
    this.#o = {
      label: options.label,
      totalBytes: options.totalBytes,
      unit: options.unit ?? "lines",
      tty: options.tty,
      write: options.write ?? writeStderr,
      clock: options.clock ?? (() => performance.now()),
      interval: options.interval ?? 2000,
      columns: options.columns ?? (options.tty ? consoleColumns() : 100),
    };
    this.#start = this.#o.clock();
  }

  /** Records `items` done so far, read from `bytes` of input, and reports if it is time to. */
  update(items: number, bytes: number): void {
    this.#items = items;
    this.#bytes = bytes;
    const now = this.#o.clock();
    if (now - this.#last < (this.#o.tty ? 100 : this.#o.interval)) return;
    // The first report waits a little (terminal) or a whole interval (plain lines): short runs stay quiet.
    if (now - this.#start < (this.#o.tty ? 250 : this.#o.interval)) return;
    this.#last = now;
    this.#report(now);
  }

  /** Clears the bar (terminal) so that a summary can follow. */
  finish(): void {
    if (this.#o.tty && this.#drawn) this.#o.write("\r\x1b[K");
    this.#drawn = false;
  }

  #report(now: number): void {
    const o = this.#o;
    const secs = (now - this.#start) / 1000;
    const rate = secs > 0 ? this.#items / secs : 0;
    const total = o.totalBytes;
    const share = total ? Math.min(1, this.#bytes / total) : undefined;
    const eta = share !== undefined && share > 0 && secs > 0 ? secs * (1 - share) / share : undefined;
    const parts: string[] = [];
    if (share !== undefined) parts.push(`${(share * 100).toFixed(0)}%`);
    parts.push(`${count(this.#items)} ${o.unit}`);
    if (total !== undefined) parts.push(`${formatBytes(this.#bytes)}/${formatBytes(total)}`);
    if (secs >= 1) {
      // Rates from the first second are noise (start-up, the first batch still embedding).
      parts.push(`${count(rate)} ${o.unit}/s`);
      parts.push(eta === undefined ? `elapsed ${formatDuration(secs)}` : `ETA ${formatDuration(eta)}`);
    }
    if (!o.tty) {
      o.write(`${o.label}: ${parts.join(", ")}\n`);
      return;
    }
    let bar = "";
    if (share !== undefined) {
      const w = 24;
      const full = Math.round(share * w);
      bar = `[${"█".repeat(full)}${"░".repeat(w - full)}] `;
    }
    const line = `${o.label} ${bar}${parts.join("  ")}`;
    o.write(`\r\x1b[K${line.slice(0, Math.max(20, o.columns - 1))}`);
    this.#drawn = true;
  }
}
