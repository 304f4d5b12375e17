import { MemoryError } from "../memory/errors.ts";
import { readLines } from "./_lines.ts";

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function collect(chunks: string[], maxBytes = 1000, maxLineChars = 5): Promise<string> {
  const out: (string | null)[] = [];
  try {
    for await (const l of readLines(stream(chunks), { maxBytes, maxLineChars })) out.push(l);
  } catch (e) {
    if (!(e instanceof MemoryError)) throw e;
    out.push(e.code);
  }
  return JSON.stringify(out);
}

Deno.test("readLines() splits across chunks, keeps line numbers for long lines, and stops at the limit", async () => {
  const got = [
    await collect(["ab", "c\nd", "e\r\n", "\nf"]),
    await collect(["123456", "7\nok\n12345678"]),
    await collect(["1234\n", "é€\n"]),
    await collect(Array(10).fill("aaaa\n"), 20),
  ];
  const want = [
    '["abc","de","","f"]',
    '[null,"ok",null]',
    '["1234","é€"]',
    '["aaaa","aaaa","aaaa","aaaa","PAYLOAD_TOO_LARGE"]',
  ];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(got.join("\n"));
});
