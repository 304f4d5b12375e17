/**
 * Durable replacement of a small file (the keys file): write a temporary file beside the target, fsync
 * it, rename it over the target, fsync the directory. A crash leaves the old file or the new one.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/**
 * Replaces `path` with `text`, durably, with file mode `mode`; creates the directory if needed.
 *
 * @throws {Deno.errors.PermissionDenied} The directory is not writable. The temporary file is removed.
 */
export async function writeFileDurable(path: string, text: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const rand = crypto.getRandomValues(new Uint8Array(6)).reduce((s, b) => s + b.toString(16), "");
  // Not "*.tmp": the engine deletes those in its data directory, where the keys file lives by default.
  const tmp = join(dir, `.${basename(path)}.${rand}.part`);
  const f = await Deno.open(tmp, { write: true, createNew: true, mode });
  try {
    let p = new TextEncoder().encode(text);
    while (p.length > 0) p = p.subarray(await f.write(p));
    await f.sync();
    f.close();
    await Deno.rename(tmp, path);
  } catch (e) {
    try {
      f.close();
    } catch { /* already closed */ }
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch { /* some platforms cannot fsync a directory; the rename is still atomic */ }
}
