/**
 * Where the CLI gets its memory service: the daemon at `--url` (with `--api-key`) when one is given,
 * else the local library on `--data-dir`. Both sides of this file are the only places a service is made.
 *
 * @module
 */
import type { GlobalOptions, MemoryService } from "./command.ts";

/** A memory service the runner can close. */
export type ClosableService = MemoryService & { close(): Promise<void> };

/** Opens the memory service the global options name. */
export async function connect(global: GlobalOptions): Promise<ClosableService> {
  // Loaded on first use so that help and usage errors answer without loading the embedder's modules,
  // and so that `--url` never loads them at all.
  if (global.url !== undefined) {
    const { RemoteService } = await import("./_remote.ts");
    return new RemoteService(
      global.apiKey === undefined ? { url: global.url } : { url: global.url, apiKey: global.apiKey },
    );
  }
  const { T4DM } = await import("../memory/t4dm.ts");
  return await T4DM.open({ path: global.dataDir });
}
