import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Target } from "../../_env.ts";
import { problem } from "../problem/mod.ts";
import { validate } from "./validate.ts";
import { jsonDepth } from "./_json_depth.ts";

const schema = z.strictObject({ k: z.number().int().max(10).optional(), namespace: z.string().optional() });

function app(target: Target, optional = false): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.onError(problem());
  const mw = validate({
    target,
    schema: target === "params" ? z.strictObject({ id: z.string().regex(/^\w+$/) }) : schema,
    action: "test",
    optional,
    maxDepth: 4,
  });
  a.post("/:id", mw, (c) => c.json(c.get("valid")[target]));
  return a;
}

async function outcome(a: Hono<AppEnv>, init: RequestInit & { path?: string }): Promise<string> {
  const r = await a.fetch(new Request(`http://t${init.path ?? "/x"}`, { method: "POST", ...init }));
  const b = await r.json();
  return r.ok ? `${r.status} ${JSON.stringify(b)}` : `${r.status} ${b.code} ${b.field ?? ""}`.trim();
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

Deno.test("validate() json: typed data, 415 for other types, 400 naming the failure", async () => {
  const a = app("json");
  const got = [
    await outcome(a, { headers: JSON_HEADERS, body: '{"k":3}' }),
    await outcome(a, { headers: { "content-type": "application/vnd.x+json" }, body: "{}" }),
    await outcome(a, { headers: { "content-type": "text/plain" }, body: '{"k":3}' }),
    await outcome(a, { body: '{"k":3}' }),
    await outcome(a, { headers: JSON_HEADERS, body: '{"k":' }),
    await outcome(a, { headers: JSON_HEADERS, body: "" }),
    await outcome(a, { headers: JSON_HEADERS, body: '{"k":"3"}' }),
    await outcome(a, { headers: JSON_HEADERS, body: '{"k":11}' }),
    await outcome(a, { headers: JSON_HEADERS, body: '{"k":1,"extra":true}' }),
    await outcome(a, { headers: JSON_HEADERS, body: "[1]" }),
    await outcome(a, { headers: JSON_HEADERS, body: '{"namespace":[[[[["deep"]]]]]}' }),
  ];
  const want = [
    '200 {"k":3}',
    "200 {}",
    "415 UNSUPPORTED_MEDIA_TYPE",
    "415 UNSUPPORTED_MEDIA_TYPE",
    "400 VALIDATION (body)",
    "400 VALIDATION (body)",
    "400 VALIDATION k",
    "400 VALIDATION k",
    "400 VALIDATION extra",
    "400 VALIDATION (root)",
    "400 VALIDATION (body)",
  ];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(JSON.stringify(got, null, 1));
});

Deno.test("validate() json with optional: an empty body is {}", async () => {
  const got = await outcome(app("json", true), {});
  if (got !== "200 {}") throw new Error(got);
});

Deno.test("validate() query and params: unknown, repeated and malformed values get 400", async () => {
  const q = app("query");
  const p = app("params");
  const got = [
    await outcome(q, { path: "/x?namespace=a" }),
    await outcome(q, { path: "/x?namespace=a&namespace=b" }),
    await outcome(q, { path: "/x?other=1" }),
    await outcome(p, { path: "/abc" }),
    await outcome(p, { path: "/a%2Fb" }),
  ];
  const want = [
    '200 {"namespace":"a"}',
    "400 VALIDATION namespace",
    "400 VALIDATION other",
    '200 {"id":"abc"}',
    "400 VALIDATION id",
  ];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(JSON.stringify(got, null, 1));
});

Deno.test("jsonDepth() counts nesting outside strings", () => {
  const got = [
    jsonDepth("1"),
    jsonDepth('{"a":[1,{"b":"[[[["}]}'),
    jsonDepth('"\\"[["'),
    jsonDepth("[".repeat(50)),
  ];
  if (JSON.stringify(got) !== "[0,3,0,50]") throw new Error(JSON.stringify(got));
});
