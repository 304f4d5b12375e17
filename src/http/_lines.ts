/**
 * {@linkcode readLines}: a streamed request body as text lines, with a total size limit and a line
 * length limit, for JSON-lines import.
 *
 * @module
 */
import { MemoryError } from "../memory/errors.ts";

/**
 * Yields the lines of `body` (without `\n` or a trailing `\r`), decoding UTF-8 leniently. A line longer
 * than `maxLineChars` is skipped and yields `null` in its place, so line numbers stay true.
 *
 * @throws {MemoryError} PAYLOAD_TOO_LARGE once more than `maxBytes` arrived; reading stops there.
 *
 * @example
 * ```ts
 * import { readLines } from "./_lines.ts";
 * const body = new Blob(["a\r\nbbbbbb\nc"]).stream();
 * const got = [];
 * for await (const l of readLines(body, { maxBytes: 100, maxLineChars: 3 })) got.push(l);
 * if (JSON.stringify(got) !== '["a",null,"c"]') throw new Error(JSON.stringify(got));
 * ```
 */
export async function* readLines(
  body: ReadableStream<Uint8Array> | null,
  o: { maxBytes: number; maxLineChars: number },
): AsyncGenerator<string | null> {
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let skipping = false;
  let total = 0;
  const end = (line: string) => (line.endsWith("\r") ? line.slice(0, -1) : line);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!done) {
        total += value.byteLength;
        if (total > o.maxBytes) {
          throw new MemoryError("PAYLOAD_TOO_LARGE", `Cannot import: the body exceeds ${o.maxBytes} bytes`);
        }
      }
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) {
          if (!skipping) buf += text.slice(start);
          if (buf.length > o.maxLineChars) skipping = true, buf = "";
          break;
        }
        const line = skipping ? "" : buf + text.slice(start, nl);
        yield skipping || line.length > o.maxLineChars ? null : end(line);
        buf = "";
        skipping = false;
        start = nl + 1;
      }
      if (done) break;
    }
    if (skipping) yield null;
    else if (buf !== "") yield end(buf);
  } finally {
    await reader.cancel().catch(() => {});
  }
}
