/**
 * Where the CLI gets its memory service. Today always the local library on `--data-dir`; a client of
 * the HTTP daemon (`--url`, `--api-key`) belongs here too, behind the same {@linkcode MemoryService}.
 *
 * @module
 */
import type { GlobalOptions, MemoryService } from "./command.ts";

/** A memory service the runner can close. */
export type ClosableService = MemoryService & { close(): Promise<void> };

/** Opens the memory service the global options name. */
export async function connect(global: GlobalOptions): Promise<ClosableService> {
  // Loaded on first use so that help and usage errors answer without loading the embedder's modules.
  const { T4DM } = await import("../memory/t4dm.ts");
  return await T4DM.open({ path: global.dataDir });
}
