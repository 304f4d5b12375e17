/**
 * Export and import as JSON lines, both streamed.
 *
 * @module
 */
import { z } from "zod";
import { MemoryError } from "../../memory/errors.ts";
import { StoreInputSchema } from "../../memory/schema.ts";
import type { T4DM } from "../../memory/t4dm.ts";
import { readLines } from "../_lines.ts";
import { jsonDepth } from "../middleware/validate/_json_depth.ts";
import { HttpError } from "../http_error.ts";
import { defineRoute, json, type RouteDef } from "../route.ts";
import { ImportResultSchema, NamespaceQuerySchema } from "../schemas.ts";

// Not text/plain: a browser may send that cross-origin without a preflight, which would let any web
// page write into a daemon running open on loopback.
const JSONL_TYPE = /^application\/(?:x-ndjson|jsonl|x-jsonlines|jsonlines)\s*(?:;|$)/i;
const CHUNK = 1024;
const MAX_REPORTED = 1000;

function exportStream(it: AsyncGenerator<string>, first: IteratorResult<string>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let next = first;
  return new ReadableStream({
    async pull(ctrl) {
      let out = "";
      while (!next.done && out.length < 65536) {
        out += next.value + "\n";
        next = await it.next();
      }
      if (out) ctrl.enqueue(enc.encode(out));
      if (next.done) ctrl.close();
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}

async function importLines(
  mem: T4DM,
  lines: AsyncIterable<string | null>,
  namespace: string,
  limits: { maxLineChars: number; maxDepth: number },
  out: z.output<typeof ImportResultSchema>,
): Promise<void> {
  const fail = (line: number, error: string) => {
    out.failedCount++;
    if (out.failed.length < MAX_REPORTED) out.failed.push({ line, error });
  };
  let chunk: string[] = [];
  let base = 0;
  // The library keeps every failure of a call in memory, so it is called on bounded chunks.
  const flush = async () => {
    const r = await mem.import(chunk, { namespace });
    out.imported += r.imported;
    for (const f of r.failed) fail(base + f.line, f.error.replace(/^Cannot import line \d+: /, ""));
    base += chunk.length;
    chunk = [];
  };
  for await (const line of lines) {
    const n = base + chunk.length + 1;
    let text = line ?? "";
    if (line === null) fail(n, `the line is longer than ${limits.maxLineChars} characters`);
    else if (jsonDepth(line) > limits.maxDepth) {
      fail(n, `the line nests deeper than ${limits.maxDepth} levels`);
      text = "";
    }
    chunk.push(text); // a refused line stays as a blank one (which the library skips) to keep numbers true
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  out.failed.sort((a, b) => a.line - b.line);
}

/** The export and import routes. */
export function transferRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/v1/export",
      operationId: "exportMemories",
      summary: "Export a namespace as JSON lines",
      description: "Streams the current version of every memory, one JSON object a line, oldest first.",
      access: "read",
      namespaced: true,
      query: NamespaceQuerySchema,
      responses: {
        200: { description: "One memory a line", schema: z.string(), contentType: "application/x-ndjson" },
      },
      async handle({ mem, namespace }) {
        const it = mem.export({ namespace });
        const first = await it.next(); // fail before the 200 if the store cannot be read at all
        return new Response(exportStream(it, first), { headers: { "content-type": "application/x-ndjson" } });
      },
    }),
    defineRoute({
      method: "POST",
      path: "/v1/import",
      operationId: "importMemories",
      summary: "Import JSON lines",
      description: "Streams a JSON-lines body (as exported, or plain store inputs) into the request's " +
        "namespace; each line's own `namespace` is ignored and a line with an existing `id` replaces " +
        "that memory. Bad lines are reported and skipped, good ones stored. Content types: " +
        "application/x-ndjson or application/jsonl.",
      access: "write",
      namespaced: true,
      query: NamespaceQuerySchema,
      body: { jsonl: StoreInputSchema }, // a line's other fields (an export's) are ignored
      responses: { 200: { description: "Counts and the failed lines", schema: ImportResultSchema } },
      async handle({ mem, namespace, req, limits }) {
        const type = req.headers.get("content-type") ?? "";
        if (!JSONL_TYPE.test(type)) {
          throw new HttpError(
            "UNSUPPORTED_MEDIA_TYPE",
            `Cannot import: expected Content-Type application/x-ndjson, got ${
              JSON.stringify(type.slice(0, 100))
            }`,
          );
        }
        const lines = readLines(req.body, { maxBytes: limits.importBytes, maxLineChars: limits.bodyBytes });
        const out = { imported: 0, failedCount: 0, failed: [] };
        try {
          await importLines(mem, lines, namespace, {
            maxLineChars: limits.bodyBytes,
            maxDepth: limits.jsonDepth,
          }, out);
        } catch (e) {
          if (e instanceof MemoryError && e.code === "PAYLOAD_TOO_LARGE") {
            throw new MemoryError(
              "PAYLOAD_TOO_LARGE",
              `${e.message}; ${out.imported} memories from earlier lines were imported`,
            );
          }
          throw e;
        }
        return json(out);
      },
    }),
  ];
}
