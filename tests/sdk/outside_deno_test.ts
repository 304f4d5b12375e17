// The SDK outside Deno: bundled for the browser platform by `deno bundle` (the "./sdk" export), it must
// hold no Deno API and no npm or node: import, and it must drive a real daemon from Node.js.
import { serveForTest } from "../../src/http/_testing.ts";
import { bundleSdk } from "./_bundle.ts";

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(typeof state === "string" ? state : JSON.stringify(state, null, 1));
}

async function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return { code: o.code, out: new TextDecoder().decode(o.stdout), err: new TextDecoder().decode(o.stderr) };
}

Deno.test("the SDK bundled for browsers has no Deno API or native import, and drives the daemon from Node.js", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dm-sdk-" });
  const bundle = `${dir}/t4dm-sdk.mjs`;
  const code = await bundleSdk(bundle);
  const banned = [/\bDeno\./, /from\s+["'](npm|node|jsr):/, /import\(\s*["'](npm|node|jsr):/, /require\(/];
  const found = banned.filter((re) => re.test(code)).map(String);
  expect(found.length === 0 && code.includes("T4DMClient"), { found, bytes: code.length });

  const server = await serveForTest(`${dir}/data`);
  try {
    // Node's own fetch and ES modules; the script prints what it got back as one JSON line.
    const script = `${dir}/use.mjs`;
    Deno.writeTextFileSync(
      script,
      `import { T4DMClient, NotFoundError } from ${JSON.stringify(bundle)};
const t4dm = new T4DMClient({ baseUrl: process.argv[2], namespace: "node", retries: 0 });
const m = await t4dm.store({ content: "Node stored this about the lighthouse", tags: ["node"] });
const hits = await t4dm.recall({ query: "lighthouse", k: 3 });
const missing = await t4dm.update("no-such-id", { importance: 1 }).then(() => "no error", (e) => e instanceof NotFoundError ? "NotFoundError" : String(e));
console.log(JSON.stringify({ id: m.id, top: hits[0]?.memory.id, ns: m.namespace, missing, node: process.version }));
`,
    );
    const n = await run("node", [script, server.url]);
    expect(n.code === 0, `node failed (${n.code}): ${n.err}`);
    const got = JSON.parse(n.out.trim().split("\n").pop()!);
    expect(got.top === got.id && got.ns === "node" && got.missing === "NotFoundError", got);
  } finally {
    await server.shutdown();
    Deno.removeSync(dir, { recursive: true });
  }
});
