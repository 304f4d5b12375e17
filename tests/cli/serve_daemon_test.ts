/**
 * `t4dm serve` as a subprocess, as users run it. Its flags (`--rate-limit`, `--max-batch`) take effect.
 * Stopped by a real signal: the daemon runs as a subprocess (`deno run main.ts serve`) on a
 * temporary data directory, a streamed import is in flight when SIGTERM (or SIGINT) arrives, and the
 * test checks what src/http/serve.ts promises: new requests get 503 while the in-flight one finishes,
 * the process exits 0, and every acknowledged memory is in the store when the library reopens it.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Memory } from "../../src/memory/schema.ts";
import { T4DM } from "../../src/memory/t4dm.ts";
import { RateLimitedError, T4DMClient } from "../../src/sdk/mod.ts";
import { createKey } from "../../src/http/keys.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "main.ts");
/** Lines sent before the signal: more than one of the import route's 1024-line chunks, so some are stored. */
const BEFORE = 1500;
/** Lines sent after the daemon has started draining. */
const AFTER = 300;

/** A daemon subprocess, its URL and its stderr so far. */
interface Daemon {
  child: Deno.ChildProcess;
  url: string;
  stderr: () => string;
  /** Settles when stderr reaches its end. */
  stderrDone: Promise<void>;
}

function fail(what: string, state: unknown, d?: Daemon): never {
  const shown = typeof state === "string" ? state : JSON.stringify(state, null, 2);
  throw new Error(`${what}\n${shown}${d ? `\n--- daemon stderr ---\n${d.stderr()}` : ""}`);
}

/** Starts `t4dm serve --port 0 [extra flags]` and resolves with the URL it logs once listening. */
async function startDaemon(dataDir: string, extra: string[] = []): Promise<Daemon> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      MAIN,
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--embed-workers",
      "0",
      ...extra,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", T4DM_URL: "", T4DM_API_KEY: "" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  let listening!: (url: string) => void;
  const url = new Promise<string>((r) => listening = r);
  const stderrDone = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      log += text;
      const m = /t4dm serve: listening on (http:\/\/\S+)/.exec(log);
      if (m) listening(m[1]!);
    }
  })();
  const d: Daemon = { child, url: "", stderr: () => log, stderrDone };
  const early = child.status.then((s) => `exited with ${s.code} before listening`);
  const timeout = new Promise<string>((r) => setTimeout(() => r("did not listen within 20 s"), 20_000));
  const got = await Promise.race([url, early, timeout]);
  if (!got.startsWith("http://")) {
    child.kill("SIGKILL");
    await child.status;
    await stderrDone;
    fail(`t4dm serve ${got}`, "", d);
  }
  d.url = got;
  return d;
}

/** Polls `GET url/ready` until it answers `status`. */
async function waitReady(d: Daemon, status: number, body: string): Promise<void> {
  let last = "";
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${d.url}/ready`).catch((e: Error) =>
      fail(`GET /ready failed: ${e.message}`, "", d)
    );
    last = `${r.status} ${await r.text()}`;
    if (r.status === status && last.includes(body)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`/ready never answered ${status} ${body}`, last, d);
}

/** Polls until the daemon counts at least one memory in `namespace`. */
async function waitStored(d: Daemon, sdk: T4DMClient, namespace: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const s = await sdk.stats();
    if ((s.namespaces[namespace]?.memories ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`the import stored nothing in "${namespace}" within 20 s`, "", d);
}

function line(i: number): string {
  return JSON.stringify({ content: `Bulk line ${i}: the heron waited by the weir`, tags: ["bulk"] });
}

/** The import's body: BEFORE lines, then once `gate` settles AFTER more. */
async function* lines(gate: Promise<void>): AsyncGenerator<string> {
  for (let i = 0; i < BEFORE; i++) yield line(i);
  await gate;
  for (let i = BEFORE; i < BEFORE + AFTER; i++) yield line(i);
}

/** One run: start, store, stream an import, send `signal` mid-import, finish it, check the store. */
async function signalDuringImport(signal: Deno.Signal): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "t4dm-serve-signal-test-" });
  const dataDir = join(dir, "data");
  const d = await startDaemon(dataDir);
  try {
    await waitReady(d, 200, "ready");
    const sdk = new T4DMClient({ baseUrl: d.url, retries: 0 });
    const stored: Memory[] = [];
    for (const content of ["Ada prefers green tea", "Bo keeps bees", "Cy sails on Sundays"]) {
      stored.push(await sdk.store({ content }));
    }

    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    // The body is held open after BEFORE lines until the daemon is draining.
    const importing = sdk.importJsonl(lines(gate), { namespace: "bulk" });
    importing.catch(() => {}); // awaited below; a failure must not surface as unhandled first
    await waitStored(d, sdk, "bulk"); // the daemon is reading this request's body: it is in flight

    d.child.kill(signal);
    await waitReady(d, 503, "draining");
    const late = await sdk.store({ content: "sent while draining" }).then(
      (m) => `stored ${m.id}`,
      (e: { status?: number; code?: string }) => `${e.status} ${e.code}`,
    );
    if (late !== "503 UNAVAILABLE") fail("a new request during the drain was not refused with 503", late, d);
    release();

    const result = await importing.catch((e: Error) => fail("the in-flight import failed", e.message, d));
    if (result.imported !== BEFORE + AFTER || result.failedCount !== 0) {
      fail("the in-flight import did not store every line", result, d);
    }
    const status = await d.child.status;
    await d.stderrDone;
    if (status.code !== 0 || status.signal !== null) {
      fail(`the daemon did not exit 0 after ${signal}`, status, d);
    }

    // The embedder is not needed to read: a stand-in keeps ONNX Runtime out of this process.
    const mem = await T4DM.open({
      path: dataDir,
      embedder: { dim: 512, id: "unused", embed: () => Promise.reject(new Error("not needed")) },
    });
    try {
      const missing = [];
      for (const m of stored) if ((await mem.get(m.id))?.content !== m.content) missing.push(m);
      const bulk = new Set<string>();
      for await (const l of mem.export({ namespace: "bulk" })) bulk.add((JSON.parse(l) as Memory).content);
      const lost = Array.from({ length: BEFORE + AFTER }, (_, i) => i).filter((i) =>
        !bulk.has(JSON.parse(line(i)).content)
      );
      if (missing.length || lost.length || bulk.size !== BEFORE + AFTER) {
        fail("reopening the store did not find every acknowledged memory", {
          missingStored: missing.map((m) => m.id),
          bulkCount: bulk.size,
          lostLines: lost.slice(0, 10),
        }, d);
      }
    } finally {
      await mem.close();
    }
  } finally {
    try {
      d.child.kill("SIGKILL"); // only if a check failed while it still ran
    } catch { /* already exited */ }
    await d.child.status;
    await d.stderrDone;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("t4dm serve on SIGTERM finishes the in-flight import, refuses new requests, exits 0 and loses nothing", async () => {
  await signalDuringImport("SIGTERM");
});

Deno.test("t4dm serve on SIGINT finishes the in-flight import, refuses new requests, exits 0 and loses nothing", async () => {
  await signalDuringImport("SIGINT");
});

Deno.test("t4dm serve --rate-limit and --max-batch are enforced; bad --rate-limit and --cors-origin are usage errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "t4dm-serve-flags-test-" });
  const dataDir = join(dir, "data");
  await Deno.mkdir(dataDir, { recursive: true });
  const { token } = await createKey(join(dataDir, "keys.json"), {
    namespaces: ["*"],
    scopes: ["read", "write"],
  });
  const d = await startDaemon(dataDir, ["--rate-limit", "1:3", "--max-batch", "2"]);
  try {
    await waitReady(d, 200, "ready");
    const sdk = new T4DMClient({ baseUrl: d.url, apiKey: token, retries: 0 });
    const big = await sdk.storeMany([{ content: "a" }, { content: "b" }, { content: "c" }]).then(
      () => "stored",
      (e: { status?: number; message?: string }) => `${e.status} ${e.message}`,
    );
    if (!/^400 .*2/.test(big)) fail("a batch of 3 passed --max-batch 2", big, d);
    // 1 request per second in bursts of 3: of 6 at once (the batch above took one), some get 429.
    const got = await Promise.all(
      Array.from(
        { length: 6 },
        () => sdk.stats().then(() => "ok", (e) => e instanceof RateLimitedError ? "429" : String(e)),
      ),
    );
    if (!got.includes("429") || !got.includes("ok")) fail("--rate-limit 1:3 did not limit", got, d);
  } finally {
    d.child.kill("SIGTERM");
    await d.child.status;
    await d.stderrDone;
  }
  const refused: unknown[] = [];
  for (
    const [flag, value, says] of [
      ["--rate-limit", "fast", 'flag "--rate-limit" needs'],
      ["--cors-origin", "*", 'flag "--cors-origin": Cannot allow CORS origin "*"'],
    ]
  ) {
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-kv", MAIN, "serve", "--data-dir", dataDir, flag!, value!],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(bad.stderr);
    if (bad.code !== 2 || !err.includes(says!)) refused.push({ flag, value, code: bad.code, err });
  }
  await Deno.remove(dir, { recursive: true });
  if (refused.length) fail("a bad flag value was not a usage error", refused);
});
