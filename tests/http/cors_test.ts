// CORS for listed origins (`serve({ corsOrigins })`, `t4dm serve --cors-origin`), over a real socket.
import { serveForTest } from "../../src/http/_testing.ts";

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(JSON.stringify(state, null, 1));
}

const PAGE = "http://localhost:5173";

Deno.test("a listed origin gets preflights and CORS headers; any other origin gets neither", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-cors-" });
  const server = await serveForTest(dataDir, { corsOrigins: [`${PAGE}/`] });
  try {
    const preflight = (origin: string) =>
      fetch(`${server.url}/v1/memories`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, authorization",
        },
      });
    const ok = await preflight(PAGE);
    await ok.body?.cancel();
    const h = Object.fromEntries(ok.headers);
    expect(
      ok.status === 204 && h["access-control-allow-origin"] === PAGE &&
        /POST/.test(h["access-control-allow-methods"] ?? "") &&
        /authorization/.test(h["access-control-allow-headers"] ?? "") &&
        /content-type/.test(h["access-control-allow-headers"] ?? ""),
      { status: ok.status, h },
    );
    const other = await preflight("http://localhost:6666");
    await other.body?.cancel();
    expect(other.headers.get("access-control-allow-origin") === null && other.status >= 400, {
      status: other.status,
      h: Object.fromEntries(other.headers),
    });

    // A real request from the listed page: served, with the header a browser needs to hand it over.
    const stored = await fetch(`${server.url}/v1/memories`, {
      method: "POST",
      headers: { origin: PAGE, "content-type": "application/json" },
      body: JSON.stringify({ content: "stored from a web page" }),
    });
    const body = await stored.json();
    expect(stored.status === 201 && stored.headers.get("access-control-allow-origin") === PAGE, {
      status: stored.status,
      body,
    });
    // The same from an unlisted page: refused (no keys: loopback clients only), and no CORS header.
    const refused = await fetch(`${server.url}/v1/memories`, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ content: "planted" }),
    });
    await refused.body?.cancel();
    expect(
      refused.status === 403 && refused.headers.get("access-control-allow-origin") === null,
      refused.status,
    );
  } finally {
    await server.shutdown();
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("serve() refuses a CORS origin that is not a bare http(s) origin, before binding", async () => {
  for (
    const bad of [
      "*",
      "localhost:5173",
      "http://localhost:5173/app",
      "ftp://x.example",
      "http://u:p@x.example",
    ]
  ) {
    const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-cors-" });
    const err = await serveForTest(dataDir, { corsOrigins: [bad] }).then(
      async (s) => (await s.shutdown(), undefined),
      (e) => e,
    );
    Deno.removeSync(dataDir, { recursive: true });
    expect(err instanceof Error && err.message.includes("Cannot allow CORS origin"), {
      bad,
      err: String(err),
    });
  }
});
