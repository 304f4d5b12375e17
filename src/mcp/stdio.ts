/**
 * `t4dm mcp` over stdio: the transport MCP clients such as Claude Desktop spawn. stdout carries only
 * protocol messages; every log line goes to stderr.
 *
 * @module
 */
import process from "node:process";
import type { Embedder } from "../../cortex/embedder.ts";
import { T4DM } from "../memory/t4dm.ts";
import { InFlight } from "./_in_flight.ts";
import { StdioServerTransport } from "./_sdk.ts";
import { createMcpServer } from "./server.ts";

/** Options of {@linkcode runStdio}. */
export interface RunStdioOptions {
  /** Data directory of the memory store (created when missing). */
  dataDir: string;
  /** Text embedder. @default the library's default (Universal Sentence Encoder lite, cached) */
  embedder?: Embedder;
  /** Stops the server as if the client had disconnected. @default none */
  signal?: AbortSignal;
  /** Where diagnostics go. @default a line on stderr */
  log?: (line: string) => void;
  /** How long to wait for calls in flight once the client is gone, in ms. @default 10000 */
  drainMs?: number;
}

/**
 * Serves MCP on stdin/stdout until the client closes stdin, SIGINT or SIGTERM arrives, or `signal` aborts;
 * then lets calls in flight finish (up to `drainMs`) and closes the store.
 *
 * Side effects on the process, since a stdio server owns it: `console.log`, `console.info` and
 * `console.debug` are sent to stderr (a dependency printing to stdout would corrupt the protocol), and an
 * unhandled promise rejection is logged instead of ending the process. Both are restored on return.
 * The caller should exit the process when the returned promise settles.
 *
 * @param options Data directory, embedder, stop signal.
 * @returns When the server has stopped and the store is closed.
 * @throws {IOError} Another process has the store open (nothing is served then).
 *
 * @example Claude Desktop runs it as a subprocess
 * ```ts ignore
 * import { runStdio } from "./stdio.ts";
 * await runStdio({ dataDir: `${Deno.env.get("HOME")}/.t4dm` });
 * Deno.exit(0);
 * ```
 */
export async function runStdio(options: RunStdioOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.error(line));
  const saved = { log: console.log, info: console.info, debug: console.debug };
  console.log = console.info = console.debug = console.error;
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    log(`t4dm mcp: unhandled rejection: ${e.reason instanceof Error ? e.reason.stack : String(e.reason)}`);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    const mem = await T4DM.open({
      path: options.dataDir,
      ...(options.embedder ? { embedder: options.embedder } : {}),
    });
    const inFlight = new InFlight();
    const server = createMcpServer(mem, { log, track: inFlight.track });
    let stop!: (why: string) => void;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const onEnd = () => stop("stdin closed");
    const onSignal = () => stop("signal");
    const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    for (const s of signals) Deno.addSignalListener(s, onSignal);
    process.stdin.on("end", onEnd);
    options.signal?.addEventListener("abort", () => stop("aborted"), { once: true });
    server.server.onclose = () => stop("transport closed");
    try {
      await server.connect(new StdioServerTransport());
      log(`t4dm mcp: serving "${options.dataDir}" on stdio`);
      const why = await stopped;
      // Messages read just before the end of stdin reach their handlers a task later; let them start.
      await new Promise((r) => setTimeout(r, 0));
      if (!(await inFlight.idle(options.drainMs ?? 10_000))) {
        log(`t4dm mcp: closing with ${inFlight.pending} calls still in flight`);
      }
      log(`t4dm mcp: stopping (${why})`);
      await server.close();
    } finally {
      process.stdin.off("end", onEnd);
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
      await mem.close();
    }
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    Object.assign(console, saved);
  }
}
