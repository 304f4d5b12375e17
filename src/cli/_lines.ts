/**
 * Lines of a byte stream, counting the bytes consumed so far (for progress reports).
 *
 * @module
 */

/** Bytes of `s` in UTF-8, without encoding it. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * Yields the lines of `stream` (without `\n` or `\r\n`), and before each line calls `onLine` with the
 * number of lines and bytes consumed up to the end of that line. A last line without a newline is
 * yielded too.
 *
 * @example
 * ```ts
 * import { readLines } from "./_lines.ts";
 * const seen: number[] = [];
 * const stream = ReadableStream.from([new TextEncoder().encode("é\r\nb\nc")]);
 * const lines = await Array.fromAsync(readLines(stream, (_, bytes) => seen.push(bytes)));
 * if (lines.join("|") !== "é|b|c" || seen.join() !== "4,6,7") throw new Error(`${lines} ${seen}`);
 * ```
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (lines: number, bytes: number) => void = () => {},
): AsyncGenerator<string> {
  const dec = new TextDecoder();
  let bytes = 0;
  let lines = 0;
  let rest = "";
  for await (const chunk of stream) {
    const parts = (rest + dec.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop()!;
    for (const p of parts) {
      lines++;
      bytes += utf8Length(p) + 1;
      onLine(lines, bytes);
      yield p.endsWith("\r") ? p.slice(0, -1) : p;
    }
  }
  rest += dec.decode();
  if (rest.length > 0) {
    lines++;
    bytes += utf8Length(rest);
    onLine(lines, bytes);
    yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
  }
}
