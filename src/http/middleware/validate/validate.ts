/**
 * {@linkcode validate}: validation middleware, one per target (JSON body, query string, path params),
 * that hands typed data to the route and answers malformed input with a 400 naming what failed.
 *
 * @module
 */
import type { Context, Next } from "hono";
import type { z } from "zod";
import { MemoryError } from "../../../memory/errors.ts";
import { parse } from "../../../memory/schema.ts";
import type { AppEnv, Target } from "../../_env.ts";
import { HttpError } from "../../http_error.ts";
import { jsonDepth } from "./_json_depth.ts";

/** Options of {@linkcode validate}. */
export interface ValidateOptions<S extends z.ZodType> {
  /** What to validate. */
  target: Target;
  /** The schema (strict: unknown fields fail). */
  schema: S;
  /** The action named in errors, e.g. `"store memory"`. */
  action: string;
  /** For `json`: an absent or empty body counts as `{}`. @default false */
  optional?: boolean;
  /** For `json`: the deepest nesting accepted. @default 32 */
  maxDepth?: number;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function bad(action: string, field: string, why: string): MemoryError {
  return new MemoryError("VALIDATION", `Cannot ${action}: ${why}`, { field });
}

async function readJson(c: Context, o: ValidateOptions<z.ZodType>): Promise<unknown> {
  const text = c.req.raw.body ? await c.req.text() : "";
  if (text === "" && o.optional) return {};
  const type = c.req.header("content-type") ?? "";
  if (!JSON_TYPE.test(type)) {
    throw new HttpError(
      "UNSUPPORTED_MEDIA_TYPE",
      `Cannot ${o.action}: expected Content-Type application/json, got ${JSON.stringify(type.slice(0, 100))}`,
    );
  }
  const max = o.maxDepth ?? 32;
  if (jsonDepth(text) > max) throw bad(o.action, "(body)", `the JSON body nests deeper than ${max} levels`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw bad(o.action, "(body)", `the body is not valid JSON: ${(e as Error).message}`);
  }
}

function readQuery(c: Context, action: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(c.req.url).searchParams) {
    if (Object.hasOwn(out, k)) throw bad(action, k, `query parameter "${k}" is given more than once`);
    out[k] = v;
  }
  return out;
}

/**
 * Makes the validation middleware for one target. The typed result is stored under the `valid`
 * variable (`c.get("valid")[target]`).
 *
 * - 415: a JSON body without a JSON content type.
 * - 400: unparseable JSON, nesting beyond `maxDepth`, a repeated query parameter, or a schema failure
 *   (the message and `field` name the first offending field).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { z } from "zod";
 * import { validate } from "./validate.ts";
 * import { problem } from "../problem/mod.ts";
 * import type { AppEnv } from "../../_env.ts";
 * const schema = z.strictObject({ k: z.number() });
 * const app = new Hono<AppEnv>().post("/", validate({ target: "json", schema, action: "test" }),
 *   (c) => c.json(c.get("valid").json));
 * app.onError(problem());
 * const r = await app.fetch(new Request("http://t/", {
 *   method: "POST", headers: { "content-type": "application/json" }, body: '{"k":"x"}' }));
 * if (r.status !== 400 || (await r.json()).field !== "k") throw new Error(String(r.status));
 * ```
 */
export function validate<S extends z.ZodType>(
  options: ValidateOptions<S>,
): (c: Context<AppEnv>, next: Next) => Promise<void> {
  const { target, schema, action } = options;
  return async function validate(c: Context<AppEnv>, next: Next): Promise<void> {
    const input = target === "json"
      ? await readJson(c, options)
      : target === "query"
      ? readQuery(c, action)
      : c.req.param();
    const data = parse(schema, input, action);
    c.set("valid", { ...c.get("valid"), [target]: data });
    await next();
  };
}
