/**
 * The non-empty lines of a byte stream, for JSON-lines responses. Uses only web-standard APIs.
 *
 * @module
 */

/** Yields each non-empty line of `body` (without `\n` or a trailing `\r`); cancels the stream if stopped early. */
export async function* streamLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      let nl: number;
      while ((nl = buf.indexOf("\n", start)) >= 0) {
        const line = buf.slice(start, nl).replace(/\r$/, "");
        start = nl + 1;
        if (line) yield line;
      }
      buf = buf.slice(start);
      if (done) break;
    }
    const last = buf.replace(/\r$/, "");
    if (last) yield last;
  } finally {
    await reader.cancel().catch(() => {});
  }
}
