import { MemoryError } from "../../../memory/errors.ts";
import { HttpError } from "../../http_error.ts";
import { problemResponse } from "./problem_response.ts";

async function render(e: unknown, logs: string[] = []): Promise<string> {
  const r = problemResponse(e, { log: (l) => logs.push(l) });
  const headers = ["content-type", "retry-after", "www-authenticate"].map((h) => r.headers.get(h) ?? "-")
    .join(" ");
  return `${r.status} ${headers} ${await r.text()}`;
}

Deno.test("problemResponse() maps through the one error table and keeps client messages", async () => {
  const got = [
    await render(new MemoryError("VALIDATION", 'Cannot recall: field "k" too big', { field: "k" })),
    await render(new MemoryError("RATE_LIMITED", "slow down", { retryAfter: 3 })),
    await render(new MemoryError("UNAUTHORIZED", "no key")),
    await render(new HttpError("UNSUPPORTED_MEDIA_TYPE", "want json")),
  ];
  const want = [
    '400 application/problem+json - - {"type":"urn:t4dm:problem:validation","title":"Invalid request","status":400,' +
    '"detail":"Cannot recall: field \\"k\\" too big","code":"VALIDATION","field":"k"}',
    '429 application/problem+json 3 - {"type":"urn:t4dm:problem:rate_limited","title":"Too many requests",' +
    '"status":429,"detail":"slow down","code":"RATE_LIMITED","retryAfter":3}',
    '401 application/problem+json - Bearer realm="t4dm" {"type":"urn:t4dm:problem:unauthorized",' +
    '"title":"Unauthorized","status":401,"detail":"no key","code":"UNAUTHORIZED"}',
    '415 application/problem+json - - {"type":"urn:t4dm:problem:unsupported_media_type",' +
    '"title":"Unsupported media type","status":415,"detail":"want json","code":"UNSUPPORTED_MEDIA_TYPE"}',
  ];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(got.join("\n"));
});

Deno.test("problemResponse() never sends an internal error's message or stack, but logs it", async () => {
  const logs: string[] = [];
  const secret = new Error("boom at /secret/path/db.ts:12");
  const got = await render(secret, logs);
  if (!got.startsWith("500 ") || got.includes("secret") || got.includes("at ")) throw new Error(got);
  const ref = /reference ([0-9a-f-]{36})/.exec(got)?.[1];
  if (!ref || logs.length !== 1 || !logs[0]!.includes(ref) || !logs[0]!.includes("/secret/path")) {
    throw new Error(`${got}\n${logs.join("\n")}`);
  }
  const thrownString = await render("not an error", []);
  if (!thrownString.startsWith("500 ") || thrownString.includes("not an error")) {
    throw new Error(thrownString);
  }
});
