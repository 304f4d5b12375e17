/**
 * {@linkcode bodyLimit}: refuses request bodies over a size, with 413.
 *
 * @module
 */
import type { Context, Next } from "hono";
import { MemoryError } from "../../../memory/errors.ts";

/** Options of {@linkcode bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest body accepted, bytes. */
  maxBytes: number;
  /**
   * Read the whole body now (counting as it arrives) and hand it on as a buffered request. With false
   * only the declared Content-Length is checked and the route must count a streamed body itself.
   * @default true
   */
  buffer?: boolean;
}

function tooLarge(max: number): MemoryError {
  return new MemoryError("PAYLOAD_TOO_LARGE", `Cannot read request body: it exceeds ${max} bytes`);
}

/**
 * Makes the body-size middleware. A declared `Content-Length` over the limit fails before anything is
 * read; a chunked body is counted as it arrives and reading stops at the limit.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { bodyLimit } from "./body_limit.ts";
 * import { problem } from "../problem/mod.ts";
 * const app = new Hono().post("/", bodyLimit({ maxBytes: 4 }), async (c) => c.text(await c.req.text()));
 * app.onError(problem());
 * const r = await app.fetch(new Request("http://t/", { method: "POST", body: "12345" }));
 * if (r.status !== 413) throw new Error(String(r.status));
 * ```
 */
export function bodyLimit(options: BodyLimitOptions): (c: Context, next: Next) => Promise<void> {
  const max = options.maxBytes;
  return async function bodyLimit(c: Context, next: Next): Promise<void> {
    const declared = c.req.header("content-length");
    if (declared !== undefined && !(Number(declared) <= max)) throw tooLarge(max);
    const raw = c.req.raw;
    if (options.buffer !== false && raw.body) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = raw.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > max) {
          await reader.cancel().catch(() => {});
          throw tooLarge(max);
        }
        chunks.push(value);
      }
      const body = new Uint8Array(size);
      let at = 0;
      for (const ch of chunks) body.set(ch, at), at += ch.byteLength;
      c.req.raw = new Request(raw.url, {
        method: raw.method,
        headers: raw.headers,
        body,
      });
    }
    await next();
  };
}
