/**
 * End-to-end tests of `--url`: a real daemon (`serve()`) runs in this process with an API keys file, and
 * the real CLI (`deno run -A main.ts … --url`) runs as subprocesses against it. Usage errors and the
 * rendering of `stats` run in process through `runCli`, which needs no subprocess.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createKey } from "../http/keys.ts";
import { serve } from "../http/serve.ts";
import type { Memory } from "../memory/schema.ts";
import type { RecallResult } from "../memory/t4dm.ts";
import { T4DMClient } from "../sdk/client.ts";
import type { ServiceStats } from "./command.ts";
import type { ClosableService } from "./_connect.ts";
import { runCli } from "./run.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "main.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI; `env` adds to (and with "" blanks) the inherited environment. */
async function t4dm(args: string[], o: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", T4DM_URL: "", T4DM_API_KEY: "", ...o.env },
    stdin: o.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (o.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(o.stdin));
    await w.close();
  }
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

/** Runs, expects `code`, parses stdout as one JSON document with `--json`; `show` throws with the whole run. */
async function run<T = unknown>(
  args: string[],
  code: number,
  o: { stdin?: string; env?: Record<string, string> } = {},
) {
  const r = await t4dm(args, o);
  const show = (ok: boolean, what: string) => {
    if (ok) return;
    const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v} `).join("");
    throw new Error(
      `${what}\n$ ${env}t4dm ${
        args.join(" ")
      }\nexit ${r.code}\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`,
    );
  };
  show(r.code === code, `expected exit ${code}`);
  let json: T | undefined;
  if (args.includes("--json")) {
    try {
      json = JSON.parse(r.stdout) as T;
    } catch (e) {
      show(false, `stdout is not one JSON document: ${(e as Error).message}`);
    }
  }
  return { ...r, json: json as T, show };
}

/** Runs the CLI in process, capturing its output. */
async function inProcess(
  argv: string[],
  o: { connect?: () => Promise<ClosableService>; env?: Record<string, string> } = {},
): Promise<Run> {
  const sink = () => {
    const chunks: string[] = [];
    const dec = new TextDecoder();
    return {
      chunks,
      w: {
        write: (p: Uint8Array) => (chunks.push(dec.decode(p)), Promise.resolve(p.length)),
        isTerminal: () => false,
      },
    };
  };
  const out = sink();
  const err = sink();
  const env = o.env ?? {};
  const code = await runCli(argv, {
    env: (n) => env[n],
    stdout: out.w,
    stderr: err.w,
    ...(o.connect ? { connect: o.connect } : {}),
  });
  return { code, stdout: out.chunks.join(""), stderr: err.chunks.join("") };
}

function expect(ok: boolean, what: string, state: unknown): void {
  if (!ok) throw new Error(`${what}\n${typeof state === "string" ? state : JSON.stringify(state, null, 2)}`);
}

Deno.test("every memory command works through --url against a real daemon with API keys", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "t4dm-cli-url-test-" });
  const keysFile = join(dir, "keys.json");
  const rw = (await createKey(keysFile, { namespaces: ["*"], scopes: ["read", "write"] })).token;
  const ro = (await createKey(keysFile, { namespaces: ["*"], scopes: ["read"] })).token;
  const srv = await serve({
    dataDir: join(dir, "data"),
    port: 0,
    keysFile,
    handleSignals: false,
    onListen: () => {},
    log: () => {},
  });
  const remote = ["--url", srv.url, "--api-key", rw];
  try {
    await t.step("store, recall, update, history, get, forget, then get exits 4", async () => {
      const s = await run<Memory>(
        [
          "store",
          "Ada prefers green tea over coffee",
          "--actor",
          "ada",
          "--tag",
          "drinks",
          "--json",
          ...remote,
        ],
        0,
      );
      const id = s.json.id;
      s.show(s.json.namespace === "default" && s.json.actor === "ada" && s.json.version === 1, "store");
      const r = await run<RecallResult[]>(
        ["recall", "what does Ada drink?", "--k", "1", "--json", ...remote],
        0,
      );
      r.show(r.json.length === 1 && r.json[0]!.memory.id === id, "recall did not find the stored memory");
      const u = await run<Memory>(
        ["update", id, "--content", "Ada prefers black tea", "--json", ...remote],
        0,
      );
      u.show(u.json.version === 2 && u.json.content === "Ada prefers black tea", "update did not make v2");
      const h = await run<Memory[]>(["history", id, "--json", ...remote], 0);
      h.show(
        h.json.map((m) => `${m.version}:${m.content}`).join("|") ===
          "1:Ada prefers green tea over coffee|2:Ada prefers black tea",
        "history is wrong",
      );
      const g = await run(["get", id, ...remote], 0);
      g.show(g.stdout.includes(id) && g.stdout.includes("black tea") && g.stderr === "", "readable get");
      const f = await run(["forget", id, ...remote], 0);
      f.show(f.stdout.trim() === `forgot ${id}`, "forget did not confirm");
      const gone = await run<{ error: { code: string } }>(["get", id, "--json", ...remote], 4);
      gone.show(
        gone.json.error.code === "NOT_FOUND" && gone.stderr.startsWith("t4dm get: ") &&
          gone.stderr.includes(id) && gone.stderr.trim().split("\n").length === 1,
        "get of a forgotten memory is not a one-line NOT_FOUND",
      );
    });

    await t.step("invalidate and feedback act through the daemon; history and the SDK see it", async () => {
      const s = await run<Memory>([
        "store",
        "Bo keeps bees on the roof",
        "--namespace",
        "farm",
        "--json",
        ...remote,
      ], 0);
      const id = s.json.id;
      const sdk = new T4DMClient({ baseUrl: srv.url, apiKey: rw });
      const up = await run<{ memory: Memory; previousImportance: number; importance: number }>(
        ["feedback", id, "--useful", "--namespace", "farm", "--json", ...remote],
        0,
      );
      const afterUp = await sdk.get(id, { namespace: "farm" });
      up.show(
        up.json.previousImportance === s.json.importance && up.json.importance > s.json.importance &&
          up.json.memory.id === id && afterUp?.importance === up.json.importance && afterUp.version === 1,
        `feedback --useful did not raise the importance (the daemon has ${JSON.stringify(afterUp)})`,
      );
      const down = await run(["feedback", id, "--not-useful", "--namespace", "farm", ...remote], 0);
      const afterDown = await sdk.get(id, { namespace: "farm" });
      down.show(
        afterDown?.importance === s.json.importance &&
          down.stdout.trim() ===
            `not useful: importance of ${id} ${up.json.importance} → ${s.json.importance}`,
        `feedback --not-useful did not lower the importance back (the daemon has ${
          JSON.stringify(afterDown)
        })`,
      );
      const inv = await run<Memory>(
        ["invalidate", id, "--at", "2024-01-01T00:00:00Z", "--namespace", "farm", "--json", ...remote],
        0,
      );
      inv.show(
        inv.json.validTo === Date.UTC(2024, 0, 1) && inv.json.version === 2,
        "invalidate answered wrong",
      );
      const h = await run<Memory[]>(["history", id, "--namespace", "farm", "--json", ...remote], 0);
      h.show(
        h.json.map((m) => `${m.version}:${m.validTo ?? "-"}`).join("|") === `1:-|2:${Date.UTC(2024, 0, 1)}`,
        "history through the daemon does not show the invalidation",
      );
      for (const cmd of [["feedback", "no-such-id", "--useful"], ["invalidate", "no-such-id"]]) {
        const gone = await run<{ error: { code: string } }>([...cmd, "--json", ...remote], 4);
        gone.show(
          gone.json.error.code === "NOT_FOUND" && gone.stderr.startsWith(`t4dm ${cmd[0]}: `) &&
            gone.stderr.includes("no-such-id") && gone.stderr.trim().split("\n").length === 1,
          `${cmd[0]} of an unknown id is not a one-line NOT_FOUND`,
        );
      }
    });

    await t.step("import and export round-trip through the daemon; bad lines exit 2", async () => {
      const seed = [
        JSON.stringify({ content: "Dana started learning the cello", tags: ["music"] }),
        "{not json",
        JSON.stringify({ content: "Eli moved to Berlin", actor: "eli", metadata: { city: "Berlin" } }),
        JSON.stringify({ content: "The offsite is in Lisbon in June", kind: "semantic" }),
      ].join("\n") + "\n";
      const im = await run<{ imported: number; failed: { line: number }[] }>(
        ["import", "-", "--namespace", "team", "--json", ...remote],
        2,
        { stdin: seed },
      );
      im.show(
        im.json.imported === 3 && im.json.failed.map((f) => f.line).join() === "2" &&
          im.stderr.includes("t4dm import: line 2:"),
        "import did not store the good lines and report the bad one",
      );
      const ex = await run(["export", "--namespace", "team", ...remote], 0);
      const exported = ex.stdout.trim().split("\n").map((l) => JSON.parse(l) as Memory);
      ex.show(
        exported.length === 3 && exported.every((m) => m.namespace === "team"),
        "export did not stream the namespace",
      );
      const again = await run<{ imported: number }>(
        ["import", "-", "--namespace", "copy", "--json", ...remote],
        0,
        { stdin: ex.stdout },
      );
      again.show(again.json.imported === 3, "re-import of the export failed");
      const st = await inProcess(["stats", ...remote]);
      expect(
        st.code === 0 && st.stdout.includes(`daemon    ${srv.url}`) && /\bteam\s+3\s+3\b/.test(st.stdout) &&
          /\bcopy\s+3\s+3\b/.test(st.stdout) && st.stdout.includes("admin key"),
        "readable stats through the daemon is wrong",
        st,
      );
    });

    await t.step("a read-only key may recall but not store (exit 3); a wrong key exits 3", async () => {
      const env = { T4DM_URL: srv.url, T4DM_API_KEY: ro };
      const denied = await run<{ error: { code: string } }>(["store", "nope", "--json"], 3, { env });
      denied.show(
        denied.json.error.code === "FORBIDDEN" && denied.stderr.includes('"write" scope'),
        "a read-only key could store",
      );
      const ex = await run<string>(["export", "--namespace", "team"], 0, { env });
      const id = (JSON.parse(ex.stdout.split("\n")[0]!) as Memory).id;
      const noFeedback = await run<{ error: { code: string } }>(
        ["feedback", id, "--useful", "--namespace", "team", "--json"],
        3,
        { env },
      );
      noFeedback.show(noFeedback.json.error.code === "FORBIDDEN", "a read-only key could give feedback");
      const r = await run<RecallResult[]>(["recall", "cello", "--namespace", "team", "--json"], 0, { env });
      r.show(
        r.json[0]?.memory.content === "Dana started learning the cello",
        "a read-only key cannot recall",
      );
      const wrong = await run<{ error: { code: string } }>(
        ["recall", "cello", "--json", "--url", srv.url, "--api-key", "t4dm_000000000000_wrong"],
        3,
      );
      wrong.show(
        wrong.json.error.code === "UNAUTHORIZED" && wrong.stderr.startsWith("t4dm recall: "),
        "a wrong key was not refused",
      );
    });
  } finally {
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--url is a usage error for local-only commands and with --data-dir; $T4DM_URL is ignored by them", async (t) => {
  const cases: [string[], string][] = [
    [["serve", "--url", "http://127.0.0.1:8765"], 't4dm serve: "serve" works on a local data directory only'],
    [["keys", "list", "--url", "http://127.0.0.1:8765"], 't4dm keys: "keys" works on a local data directory'],
    [["mcp", "--url", "http://127.0.0.1:8765"], 't4dm mcp: "mcp" works on a local data directory only'],
    [["demo", "--url", "http://127.0.0.1:8765"], 't4dm demo: "demo" works on a local data directory only'],
    [["get", "x", "--url", "http://h", "--data-dir", "d"], "t4dm get: give either --url or --data-dir"],
    [["get", "x", "--url", "ftp://h"], 't4dm get: flag "--url" needs an http:// or https:// URL'],
    [["get", "x", "--api-key", "k"], 't4dm get: flag "--api-key" needs --url'],
  ];
  for (const [argv, want] of cases) {
    await t.step(argv.join(" "), async () => {
      const r = await inProcess(argv);
      expect(r.code === 2 && r.stdout === "" && r.stderr.startsWith(want), `expected exit 2 and ${want}`, r);
    });
  }
  await t.step("keys list with $T4DM_URL set lists the local keys file", async () => {
    const dir = await Deno.makeTempDir({ prefix: "t4dm-cli-url-test-" });
    try {
      const r = await inProcess(["keys", "list", "--json", "--data-dir", dir], {
        env: { T4DM_URL: "http://127.0.0.1:1" },
      });
      expect(r.code === 0 && r.stdout.trim() === "[]", "keys list did not run locally", r);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("an unreachable daemon exits 7", async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${l.addr.port}`;
    l.close(); // nothing listens there any more
    const r = await inProcess(["stats", "--json"], { env: { T4DM_URL: url } });
    const json = JSON.parse(r.stdout || "{}") as { error?: { code: string } };
    expect(
      r.code === 7 && json.error?.code === "UNAVAILABLE" &&
        r.stderr.includes(`Cannot reach the daemon at ${url}: `),
      "an unreachable daemon is not UNAVAILABLE",
      r,
    );
  });
});

Deno.test("stats renders a daemon's figures with and without engine figures", async () => {
  const base: ServiceStats = {
    namespaces: { team: { memories: 2, vectors: 2 } },
    embedder: "use-lite",
    embedderRuntime: "onnxruntime (2 threads)",
  };
  const admin: ServiceStats = {
    ...base,
    engine: { levels: [{ level: 0, files: 1, bytes: 2048 }, { level: 1, files: 0, bytes: 0 }], lastSeq: 42 },
  };
  const fake = (s: ServiceStats) => () =>
    Promise.resolve(
      { stats: () => Promise.resolve(s), close: () => Promise.resolve() } as unknown as ClosableService,
    );
  const withEngine = await inProcess(["stats", "--url", "http://127.0.0.1:8765"], { connect: fake(admin) });
  expect(
    withEngine.code === 0 && /tables\s+L0 1 \(2\.0 kB\)\n/.test(withEngine.stdout) &&
      /sequence\s+42/.test(withEngine.stdout) && /team\s+2\s+2/.test(withEngine.stdout) &&
      withEngine.stdout.includes("use-lite on onnxruntime (2 threads)"),
    "admin figures are not rendered",
    withEngine,
  );
  const without = await inProcess(["stats", "--url", "http://127.0.0.1:8765"], { connect: fake(base) });
  expect(
    without.code === 0 && without.stdout.includes("(figures need an admin key)") &&
      !without.stdout.includes("sequence"),
    "figures without engine are not rendered",
    without,
  );
});
