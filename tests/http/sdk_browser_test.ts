// The SDK in a real browser: headless Chromium (Debian's `chromium`; T4DM_CHROMIUM names another) loads
// a page that imports the SDK bundled by `deno bundle --platform browser` and calls a real daemon on
// loopback with an API key. The page's origin is allowed with `corsOrigins`; a page from another origin
// must be stopped by the browser. Chromium is driven over the DevTools protocol on a WebSocket, with no
// npm package. Without Chromium the test is reported as ignored (CI installs it: .ci/run).
import { existsSync } from "node:fs";
import { createKey } from "../../src/http/keys.ts";
import { serveForTest } from "../../src/http/_testing.ts";
import { bundleSdk } from "../sdk/_bundle.ts";
import { T4DMClient } from "../../src/sdk/mod.ts";

const CHROMIUM = Deno.env.get("T4DM_CHROMIUM") ??
  ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(typeof state === "string" ? state : JSON.stringify(state, null, 1));
}

/** What the page does, given the daemon's URL and key in its query string; its outcome is `window.__done`. */
const PAGE_SCRIPT = `
import { NotFoundError, T4DMClient } from "/sdk.mjs";
const q = new URLSearchParams(location.search);
window.__done = (async () => {
  try {
    const t4dm = new T4DMClient({ baseUrl: q.get("daemon"), apiKey: q.get("key"), namespace: "web", retries: 0 });
    const m = await t4dm.store({ content: "The browser stored this note about the lighthouse keeper" });
    const hits = await t4dm.recall({ query: "lighthouse keeper", k: 3 });
    const missing = await t4dm.get("no-such-id");
    const wrong = await t4dm.update("no-such-id", { importance: 1 }).then(
      () => "no error",
      (e) => (e instanceof NotFoundError ? "NotFoundError" : String(e)),
    );
    return { ok: true, id: m.id, top: hits[0] && hits[0].memory.id, missing: missing === undefined, wrong, ua: navigator.userAgent };
  } catch (e) {
    return { ok: false, error: String(e) + " " + (e && e.code), name: e && e.name };
  }
})();
`;

/** A page server on a free loopback port: "/" (the page) and "/sdk.mjs" (the bundle). */
function pageServer(sdk: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/sdk.mjs") return new Response(sdk, { headers: { "content-type": "text/javascript" } });
    if (path === "/") {
      const html = `<!doctype html><meta charset="utf-8"><script type="module">${PAGE_SCRIPT}</script>`;
      return new Response(html, { headers: { "content-type": "text/html" } });
    }
    return new Response("not found", { status: 404 });
  });
}

/** A DevTools protocol connection to the browser, with flat sessions for pages. */
class Cdp {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      const p = m.id === undefined ? undefined : this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error) p.reject(new Error(`${m.error.message} (${m.error.code})`));
      else p.resolve(m.result);
    };
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return new Cdp(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = ++this.#id;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Opens `url` in a new tab and returns the value of `window.__done` once it settles. */
  async run(url: string): Promise<Record<string, unknown>> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", { url });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      // Until the page's own context exists, evaluation may hit about:blank or a context that navigation
      // destroys: ask again.
      const r = await this.send<{ result: { value?: unknown } }>("Runtime.evaluate", {
        expression: "window.__done === undefined ? null : window.__done",
        awaitPromise: true,
        returnByValue: true,
      }, sessionId).catch(() => ({ result: { value: undefined } }));
      if (r.result.value) return r.result.value as Record<string, unknown>;
      if (Date.now() > deadline) throw new Error(`the page ${url} did not finish within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    this.#ws.close();
  }
}

Deno.test({
  name:
    "in headless Chromium the bundled SDK stores and recalls from an allowed origin, and CORS stops another",
  ignore: CHROMIUM === undefined,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "t4dm-browser-" });
    const sdk = await bundleSdk(`${dir}/sdk.mjs`);
    const allowed = pageServer(sdk);
    const other = pageServer(sdk);
    const pageOrigin = `http://127.0.0.1:${allowed.addr.port}`;
    const { token } = await createKey(`${dir}/data/keys.json`, {
      namespaces: ["web"],
      scopes: ["read", "write"],
    });
    const daemon = await serveForTest(`${dir}/data`, { corsOrigins: [pageOrigin] });
    const browser = new Deno.Command(CHROMIUM!, {
      args: [
        "--headless=new",
        "--no-sandbox", // CI runs as root
        "--disable-gpu",
        "--no-first-run",
        "--remote-debugging-port=0",
        `--user-data-dir=${dir}/profile`,
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let cdp: Cdp | undefined;
    try {
      // Chromium prints its DevTools address on stderr once ready.
      let log = "";
      const reader = browser.stderr.pipeThrough(new TextDecoderStream()).getReader();
      const wsUrl = await (async () => {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const { done, value } = await reader.read();
          if (done) break;
          log += value;
          const m = /DevTools listening on (ws:\/\/\S+)/.exec(log);
          if (m) return m[1]!;
        }
        throw new Error(`Chromium did not start:\n${log}`);
      })();
      void (async () => { // keep draining stderr so Chromium never blocks on it
        while (!(await reader.read().catch(() => ({ done: true }))).done) { /* discard */ }
      })();
      cdp = await Cdp.connect(wsUrl);
      const query = `?daemon=${encodeURIComponent(daemon.url)}&key=${encodeURIComponent(token)}`;

      const got = await cdp.run(`${pageOrigin}/${query}`);
      expect(
        got.ok === true && typeof got.id === "string" && got.top === got.id && got.missing === true &&
          got.wrong === "NotFoundError" && /Chrome/.test(String(got.ua)),
        got,
      );

      const stopped = await cdp.run(`http://127.0.0.1:${other.addr.port}/${query}`);
      // The browser withholds the answer (no Access-Control-Allow-Origin): fetch fails, the SDK says NETWORK.
      expect(stopped.ok === false && /NETWORK|Failed to fetch/.test(String(stopped.error)), stopped);

      // The server-side view: exactly the one memory the allowed page stored.
      const sdk = new T4DMClient({ baseUrl: daemon.url, apiKey: token, namespace: "web" });
      const stats = await sdk.stats();
      expect(stats.namespaces["web"]?.memories === 1, stats);
    } finally {
      cdp?.close();
      browser.kill("SIGKILL");
      await browser.status;
      await browser.stderr.cancel().catch(() => {});
      await daemon.shutdown();
      await allowed.shutdown();
      await other.shutdown();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
