/**
 * `deno task bench:http -- [--seconds N] [--clients N] [--rate R] [--store-ratio R] [--embed-workers N] [--no-keys] [--in-process | --url U [--api-key K]] [--json]`:
 * a bounded load test of the HTTP daemon on loopback. The daemon runs in a subprocess (its own event loop,
 * as in production; `--in-process` shares this one) with the real embedder on a fresh temporary store,
 * seeded with 500 memories. Its keys file holds one read/write key, which every request carries, so key
 * checks are part of what is measured (`--no-keys` leaves the daemon open); per-key rate limiting is off,
 * as one key sends all the load. Clients (the SDK over real fetch, no retries) send a seeded mix of stores
 * (30%) and recalls (70%) with fresh sentence-shaped texts, so the embedding cache rarely helps. After
 * N seconds (default 60) the clients stop, the daemon is sent SIGTERM and must exit cleanly, and the
 * figures are printed: `{requests, errors, rps, p50_ms, p99_ms, store, recall, config}` with `--json`.
 * `--url U` loads a daemon already running at U instead (it is seeded the same way and left running), so
 * that it can be watched from outside, by a profiler say.
 *
 * Two load shapes:
 * - closed loop (default): 64 clients, each sending its next request as soon as the last returns. This
 *   finds the saturation throughput; latency is then queueing, about clients / throughput.
 * - open loop (`--rate R`): requests start on a fixed schedule of R per second whatever the answers, at
 *   most `--clients` in flight (a request due while all are busy starts late). Latency is counted from
 *   each request's scheduled start, so a late start counts against the server (no coordinated omission).
 *   This is latency at a given offered load.
 *
 * @module
 */
import { mulberry32 } from "../engine/util/rng.ts";
import { createKey } from "../src/http/keys.ts";
import { serve } from "../src/http/serve.ts";
import { T4DMClient } from "../src/sdk/mod.ts";

const args = Deno.args;
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const log = (s: string) => console.error(s);

if (args[0] === "--daemon") {
  // Child mode: serve on a free loopback port, print it on stdout, exit on SIGTERM after draining.
  const server = await serve({
    dataDir: args[1]!,
    port: 0,
    hostname: "127.0.0.1",
    rateLimit: false,
    embedWorkers: Number(args[2] ?? 0),
    onListen: () => {},
  });
  console.log(JSON.stringify({ port: server.port }));
  await server.finished;
  Deno.exit(0);
}

const seconds = flag("--seconds", 60);
const clients = flag("--clients", 64);
const storeRatio = flag("--store-ratio", 0.3);
const rate = flag("--rate", 0); // requests per second, open loop; 0 = closed loop
const json = args.includes("--json");
const inProcess = args.includes("--in-process");
const urlAt = args.indexOf("--url");
const externalUrl = urlAt >= 0 ? args[urlAt + 1] : undefined;
const keyAt = args.indexOf("--api-key");
const noKeys = args.includes("--no-keys");
const embedWorkers = flag("--embed-workers", 1); // as `t4dm serve`

const NAMES = ["Ada", "Bob", "Carol", "Dan", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
const VERBS = [
  "visited",
  "talked about",
  "bought",
  "fixed",
  "planned",
  "read about",
  "cooked",
  "painted",
  "lost",
  "found",
];
const THINGS = ("garden bicycle novel violin kitchen laptop mountain museum recipe concert passport puppy " +
  "telescope library marathon festival camera sailboat guitar journal").split(" ");
const PLACES = [
  "in Lisbon",
  "at home",
  "near the river",
  "with her sister",
  "after work",
  "on the weekend",
  "downtown",
];

function sentence(rng: () => number, i: number): string {
  const pick = <T>(a: T[]) => a[Math.floor(rng() * a.length)]!;
  return `${pick(NAMES)} ${pick(VERBS)} the ${pick(THINGS)} and the ${pick(THINGS)} ${
    pick(PLACES)
  } (note ${i})`;
}

function question(rng: () => number): string {
  const pick = <T>(a: T[]) => a[Math.floor(rng() * a.length)]!;
  return `what did ${pick(NAMES)} do with the ${pick(THINGS)} ${pick(PLACES)}?`;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 100) / 100;
}

async function startDaemon(dataDir: string): Promise<{ url: string; stop: () => Promise<number> }> {
  if (externalUrl !== undefined) return { url: externalUrl, stop: () => Promise.resolve(0) };
  if (inProcess) {
    const server = await serve({
      dataDir,
      port: 0,
      hostname: "127.0.0.1",
      rateLimit: false,
      embedWorkers,
      onListen: () => {},
    });
    return { url: server.url, stop: async () => (await server.shutdown(), 0) };
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL(import.meta.url).pathname,
      "--daemon",
      dataDir,
      String(embedWorkers),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  while (!buf.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("Cannot start the daemon: it exited before printing its port");
    buf += value;
  }
  reader.releaseLock();
  const { port } = JSON.parse(buf.split("\n")[0]!);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill("SIGTERM");
      const status = await child.status;
      await child.stdout.cancel().catch(() => {});
      return status.code;
    },
  };
}

const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-http-bench-" });
const apiKey = externalUrl !== undefined
  ? (keyAt >= 0 ? args[keyAt + 1] : undefined)
  : noKeys
  ? undefined
  : (await createKey(`${dataDir}/keys.json`, {
    namespaces: ["*"],
    scopes: ["read", "write"],
    label: "bench",
  }))
    .token;
const auth = apiKey === undefined ? {} : { apiKey };
const guard = setTimeout(() => {
  log("http bench: still running 120 s past its deadline; giving up");
  Deno.exit(2);
}, (seconds + 120) * 1000);
const daemon = await startDaemon(dataDir);
const rng = mulberry32(42);
try {
  const seed = new T4DMClient({ baseUrl: daemon.url, retries: 0, timeoutMs: 120_000, ...auth });
  for (let i = 0; i < 500; i += 100) {
    await seed.storeMany(Array.from({ length: 100 }, (_, j) => ({ content: sentence(rng, i + j) })));
  }
  log(
    `http bench: ${clients} clients for ${seconds} s against ${daemon.url} (${
      externalUrl !== undefined ? "external" : inProcess ? "in process" : "subprocess"
    })`,
  );
  const lat = { store: [] as number[], recall: [] as number[] };
  const errors = { store: 0, recall: 0 };
  const firstErrors: string[] = [];
  let n = 500;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const client = new T4DMClient({ baseUrl: daemon.url, retries: 0, timeoutMs: 30_000, ...auth });
  /** Sends one request; its latency counts from `start` (now, or its scheduled time in open loop). */
  const one = async (start: number) => {
    const op = rng() < storeRatio ? "store" : "recall";
    try {
      if (op === "store") await client.store({ content: sentence(rng, n++) });
      else await client.recall({ query: question(rng), k: 10 });
      lat[op].push(performance.now() - start);
    } catch (e) {
      errors[op]++;
      if (firstErrors.length < 5) firstErrors.push(`${op}: ${(e as Error).message}`);
    }
  };
  let late = 0;
  if (rate > 0) {
    // Open loop: request i is due at t0 + i / rate; each of `clients` senders takes the next due one.
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      for (;;) {
        const due = t0 + (next++ * 1000) / rate;
        if (due >= deadline) return;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else if (wait < -1) late++;
        await one(due);
      }
    }));
  } else {
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) await one(performance.now());
    }));
  }
  const elapsed = (performance.now() - t0) / 1000;
  const all = [...lat.store, ...lat.recall];
  const requests = all.length + errors.store + errors.recall;
  const part = (k: "store" | "recall") => ({
    requests: lat[k].length + errors[k],
    errors: errors[k],
    rps: Math.round((lat[k].length / elapsed) * 10) / 10,
    p50_ms: pct(lat[k], 0.5),
    p99_ms: pct(lat[k], 0.99),
  });
  const { embedder, embedderRuntime } = await client.stats();
  const exitCode = await daemon.stop();
  const report = {
    requests,
    errors: errors.store + errors.recall,
    rps: Math.round((all.length / elapsed) * 10) / 10,
    p50_ms: pct(all, 0.5),
    p99_ms: pct(all, 0.99),
    store: part("store"),
    recall: part("recall"),
    config: {
      seconds,
      elapsed_s: Math.round(elapsed * 10) / 10,
      clients,
      load: rate > 0 ? `open loop, ${rate} req/s offered` : "closed loop",
      ...(rate > 0 ? { started_late: late } : {}),
      store_ratio: storeRatio,
      daemon: externalUrl !== undefined ? "external" : inProcess ? "in-process" : "subprocess",
      api_key: apiKey !== undefined,
      ...(externalUrl === undefined ? { rate_limit: false } : {}),
      ...(externalUrl === undefined ? { daemon_exit_code: exitCode } : {}),
      seeded_memories: 500,
      embedder: `${embedder} on ${embedderRuntime}, cached`,
      host: "127.0.0.1",
    },
    ...(firstErrors.length ? { first_errors: firstErrors } : {}),
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`| | requests | errors | rps | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|`);
    for (const [name, r] of [["all", report], ["store", report.store], ["recall", report.recall]] as const) {
      console.log(`| ${name} | ${r.requests} | ${r.errors} | ${r.rps} | ${r.p50_ms} | ${r.p99_ms} |`);
    }
  }
} finally {
  clearTimeout(guard);
  Deno.removeSync(dataDir, { recursive: true });
}
