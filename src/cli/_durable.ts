/**
 * Durable file writes for anything the CLI writes outside the engine (exports): write a temporary file
 * beside the target, fsync it, rename it over the target, fsync the directory. A crash leaves either
 * the old file or the complete new one, never a torn one.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

const enc = new TextEncoder();

/**
 * Writes the chunks of `content` to `path` durably.
 *
 * REQUIRES: the directory of `path` exists and is writable.
 *
 * @returns The number of chunks written.
 * @throws {Deno.errors.NotFound} The directory does not exist. The temporary file is removed on failure.
 */
export async function writeDurable(
  path: string,
  content: AsyncIterable<string> | Iterable<string>,
): Promise<number> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}.${Date.now()}.tmp`);
  const f = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
  let n = 0;
  let open = true;
  try {
    let buf: string[] = [];
    let size = 0;
    const flush = async () => {
      let p = enc.encode(buf.join(""));
      while (p.length > 0) p = p.subarray(await f.write(p));
      buf = [];
      size = 0;
    };
    for await (const chunk of content) {
      buf.push(chunk);
      size += chunk.length;
      n++;
      if (size >= 1 << 16) await flush();
    }
    await flush();
    await f.sync();
    f.close();
    open = false;
    await Deno.rename(tmp, path);
  } catch (e) {
    if (open) f.close();
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  const d = await Deno.open(dir, { read: true });
  try {
    await d.sync();
  } finally {
    d.close();
  }
  return n;
}
