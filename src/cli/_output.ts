/**
 * Writing to stdout and stderr: whole strings, in order, with no console formatting.
 *
 * @module
 */

const enc = new TextEncoder();

/** A writable standard stream. */
export interface RawWriter {
  write(p: Uint8Array): Promise<number>;
  isTerminal(): boolean;
}

/** A text sink over a standard stream. */
export class Output {
  readonly #w: RawWriter;

  constructor(w: RawWriter) {
    this.#w = w;
  }

  /** Whether the stream is a terminal. */
  get isTerminal(): boolean {
    return this.#w.isTerminal();
  }

  /** Writes `text` as is. */
  async write(text: string | Uint8Array): Promise<void> {
    let p = typeof text === "string" ? enc.encode(text) : text;
    while (p.length > 0) p = p.subarray(await this.#w.write(p));
  }

  /** Writes `text` and a newline. */
  line(text = ""): Promise<void> {
    return this.write(text + "\n");
  }

  /** Writes `value` as one indented JSON document. */
  json(value: unknown): Promise<void> {
    return this.write(JSON.stringify(value, null, 2) + "\n");
  }
}
