/**
 * End-to-end tests of the `t4dm` command line: each case runs the real CLI (`deno run -A main.ts`) as
 * a subprocess against a real temporary data directory, and checks the exit code, stdout and stderr.
 * Every start that touches memories loads the embedder, so the cases share invocations where they can.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Memory } from "../memory/schema.ts";
import type { RecallResult } from "../memory/t4dm.ts";
import { COMMANDS } from "./table.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "main.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function t4dm(args: string[], o: { dataDir?: string; stdin?: string } = {}): Promise<Run> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  if (o.dataDir) env.T4DM_DATA_DIR = o.dataDir;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: ROOT,
    env,
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

/** Throws with the whole run shown when `ok` is false. */
function expect(ok: boolean, what: string, args: string[], r: Run): void {
  if (ok) return;
  throw new Error(
    `${what}\n$ t4dm ${
      args.join(" ")
    }\nexit ${r.code}\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`,
  );
}

/** Runs, expects `code`, and with `--json` parses stdout as exactly one JSON document. */
async function run<T = unknown>(args: string[], code: number, o: { dataDir?: string; stdin?: string } = {}) {
  const r = await t4dm(args, o);
  expect(r.code === code, `expected exit ${code}`, args, r);
  let json: T | undefined;
  if (args.includes("--json")) {
    try {
      json = JSON.parse(r.stdout) as T;
    } catch (e) {
      expect(false, `stdout is not one JSON document: ${(e as Error).message}`, args, r);
    }
  }
  return { ...r, json: json as T, show: (ok: boolean, what: string) => expect(ok, what, args, r) };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "t4dm-cli-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("store then recall finds the memory, in JSON and in readable output", async () => {
  await withDir(async (dir) => {
    const dataDir = join(dir, "data");
    const a = await run<Memory>(
      [
        "store",
        "Ada prefers green tea over coffee in the morning",
        "--actor=ada",
        "--tag",
        "drinks",
        "--tag",
        "morning",
        "--meta",
        "cups=2",
        "--meta",
        "source=chat",
        "--event-time",
        "2023-05-08T10:00:00Z",
        "--json",
      ],
      0,
      { dataDir },
    );
    const m = a.json;
    a.show(
      m.content.includes("green tea") && m.actor === "ada" && m.tags.join() === "drinks,morning" &&
        m.metadata.cups === 2 && m.metadata.source === "chat" && m.eventTime === Date.UTC(2023, 4, 8, 10),
      "stored memory has the wrong fields",
    );
    await run(["store", "Bob went hiking in the Alps with his brother", "--actor", "bob"], 0, { dataDir });
    const r = await run<RecallResult[]>(
      ["recall", "what does Ada like to drink?", "--k", "1", "--explain", "--json"],
      0,
      { dataDir },
    );
    r.show(
      r.json.length === 1 && r.json[0]!.memory.id === m.id && r.json[0]!.explain?.vectorRank !== undefined,
      "recall did not put Ada's memory first with an explanation",
    );
    const human = await run(["recall", "hiking in the mountains", "--tag", "drinks"], 0, { dataDir });
    human.show(
      human.stdout.includes(m.id) && human.stdout.includes("green tea") && !human.stdout.includes("Alps"),
      "readable recall with a tag filter is wrong",
    );
  });
});

Deno.test("update, invalidate, history, recall --as-of, forget and not-found round trip", async () => {
  await withDir(async (dir) => {
    const dataDir = join(dir, "data");
    const s = await run<Memory>(
      ["store", "Carol lives in Lisbon", "--event-time", "2022-01-01T00:00:00Z"],
      0,
      {
        dataDir,
      },
    );
    const id = s.stdout.trim().replace(/^stored /, "");
    s.show(/^[0-9a-f-]{36}$/.test(id), "store did not print its id");
    const u = await run<Memory>(["update", id, "--content", "Carol lives in Porto", "--json"], 0, {
      dataDir,
    });
    u.show(
      u.json.version === 2 && u.json.content === "Carol lives in Porto",
      "update did not make version 2",
    );
    const inv = await run(["invalidate", id, "--at", "2023-01-01T00:00:00Z"], 0, { dataDir });
    inv.show(
      inv.stdout.includes("2023-01-01T00:00:00.000Z"),
      "invalidate did not report the end of validity",
    );
    const h = await run<Memory[]>(["history", id, "--json"], 0, { dataDir });
    h.show(
      h.json.map((m) => `${m.version}:${m.content}:${m.validTo ?? "-"}`).join("|") ===
        `1:Carol lives in Lisbon:-|2:Carol lives in Porto:-|3:Carol lives in Porto:${Date.UTC(2023, 0, 1)}`,
      "history is wrong",
    );
    const asOf = await run<RecallResult[]>(
      [
        "recall",
        "where does Carol live",
        "--now",
        "2024-01-01T00:00:00Z",
        "--as-of",
        "2022-06-01T00:00:00Z",
        "--json",
      ],
      0,
      { dataDir },
    );
    asOf.show(asOf.json[0]?.memory.id === id, "recall --as-of did not find the invalidated memory");
    const f = await run(["forget", id], 0, { dataDir });
    f.show(f.stdout.trim() === `forgot ${id}`, "forget did not confirm");
    const g = await run(["get", id, "--json"], 4, { dataDir });
    g.show(
      (g.json as { error: { code: string } }).error.code === "NOT_FOUND" &&
        g.stderr.trim().split("\n").length === 1 && g.stderr.startsWith("t4dm get: ") &&
        g.stderr.includes(id),
      "get of a forgotten memory is not a one-line NOT_FOUND",
    );
  });
});

Deno.test("feedback --useful and --not-useful move importance without a new version; an unknown id exits 4", async () => {
  await withDir(async (dir) => {
    const dataDir = join(dir, "data");
    const s = await run<Memory>(["store", "Fay takes the 7:40 train", "--importance", "0.95", "--json"], 0, {
      dataDir,
    });
    const id = s.json.id;
    const up = await run<{ memory: Memory; previousImportance: number; importance: number }>(
      ["feedback", id, "--useful", "--json"],
      0,
      { dataDir },
    );
    up.show(
      up.json.previousImportance === 0.95 && up.json.importance === 1 && up.json.memory.importance === 1 &&
        up.json.memory.version === 1,
      "feedback --useful did not raise importance to the 1 cap",
    );
    const down = await run(["feedback", id, "--not-useful"], 0, { dataDir });
    down.show(down.stdout.trim() === `not useful: importance of ${id} 1 → 0.9`, "readable feedback is wrong");
    const g = await run<Memory>(["get", id, "--json"], 0, { dataDir });
    g.show(
      g.json.importance === 0.9 && g.json.version === 1,
      "get does not show the importance feedback left",
    );
    const gone = await run<{ error: { code: string } }>(["feedback", "nope", "--useful", "--json"], 4, {
      dataDir,
    });
    gone.show(
      gone.json.error.code === "NOT_FOUND" && gone.stderr.trim() ===
          't4dm feedback: Cannot give feedback on memory "nope": no such memory in "default"',
      "feedback on an unknown id is not a one-line NOT_FOUND",
    );
  });
});

Deno.test("--help on every command exits 0 and lists the command's flags", async (t) => {
  const main = await run(["--help"], 0);
  main.show(
    [...COMMANDS.keys()].every((n) => main.stdout.includes(`  ${n} `)),
    "t4dm --help misses a command",
  );
  const viaHelp = await run(["help", "recall"], 0);
  viaHelp.show(viaHelp.stdout.includes("--as-of"), "t4dm help recall misses --as-of");
  for (const c of COMMANDS.values()) {
    await t.step(c.name, async () => {
      const r = await run([c.name, "--help"], 0);
      const missing = [...Object.keys(c.flags), "data-dir", "namespace", "json"].filter((f) =>
        !r.stdout.includes(`--${f}`)
      );
      r.show(missing.length === 0 && r.stderr === "", `help misses ${missing.join(", ")}`);
    });
  }
});

Deno.test("usage errors exit 2 with one line on stderr and nothing on stdout", async (t) => {
  const cases: [string[], string][] = [
    [["stor", "x"], 't4dm: unknown command "stor" (did you mean "store"?)'],
    [
      ["store", "x", "--improtance", "1"],
      't4dm store: unknown flag "--improtance" (did you mean "--importance"?)',
    ],
    [["get"], "t4dm get: expected <id>, got none"],
    [
      ["recall", "x", "--when", "today", "--from", "2024-01-01"],
      "t4dm recall: give either --when or --from/--to",
    ],
    [["invalidate", "x", "--at", "someday"], 't4dm invalidate: flag "--at" needs a time'],
    [["update", "x"], "t4dm update: nothing to update"],
    [["feedback", "x"], "t4dm feedback: say whether the memory helped: give --useful or --not-useful"],
    [
      ["feedback", "x", "--useful", "--not-useful"],
      "t4dm feedback: give either --useful or --not-useful, not both",
    ],
    [["feedback", "--useful"], "t4dm feedback: expected <id>, got none"],
  ];
  for (const [args, want] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await run(args, 2);
      r.show(
        r.stdout === "" && r.stderr.startsWith(want) && r.stderr.trim().split("\n").length === 1,
        `expected one stderr line starting ${JSON.stringify(want)}`,
      );
    });
  }
});

Deno.test("a validation error exits 2, names the field, and with --json prints only the error on stdout", async () => {
  await withDir(async (dir) => {
    const r = await run<{ error: { code: string; field?: string; message: string } }>(
      ["store", "too important", "--importance", "5", "--json"],
      2,
      { dataDir: join(dir, "data") },
    );
    r.show(
      r.json.error.code === "VALIDATION" && r.json.error.field === "importance" &&
        r.stderr.startsWith("t4dm store: ") && r.stderr.includes('"importance"'),
      "validation error does not name importance",
    );
  });
});

Deno.test("export then import into a new data directory reproduces the memories; bad lines are reported", async () => {
  await withDir(async (dir) => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    const seed = [
      { content: "Dana started learning the cello", tags: ["music"], eventTime: "2023-03-01T12:00:00Z" },
      { content: "Eli moved to Berlin for a new job", actor: "eli", metadata: { city: "Berlin" } },
      { content: "The team offsite is in Lisbon in June", kind: "semantic" },
    ].map((x) => JSON.stringify(x)).join("\n") + "\n";
    const seeded = await run<{ imported: number }>(["import", "-", "--namespace", "team", "--json"], 0, {
      dataDir: a,
      stdin: seed,
    });
    seeded.show(seeded.json.imported === 3, "seeding through stdin failed");
    const out = join(dir, "team.jsonl");
    const ex = await run(["export", "--namespace", "team", "--out", out], 0, { dataDir: a });
    ex.show(ex.stdout.trim() === `exported 3 memories to ${out}`, "export did not report its count");
    const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
    ex.show(leftovers.length === 0, `export left temporary files: ${leftovers.join(", ")}`);
    const exported = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l) as Memory);

    const withBad = join(dir, "with_bad.jsonl");
    const lines = exported.map((m) => JSON.stringify(m));
    await Deno.writeTextFile(
      withBad,
      [lines[0], "{not json", lines[1], '{"content": ""}', lines[2]].join("\n"),
    );
    const im = await run<{ imported: number; failed: { line: number }[] }>(["import", withBad, "--json"], 2, {
      dataDir: b,
    });
    im.show(
      im.json.imported === 3 && im.json.failed.map((f) => f.line).join() === "2,4" &&
        im.stderr.includes("line 2:") && im.stderr.includes('line 4: Cannot import line 4: field "content"'),
      "import did not store the good lines and report the bad ones",
    );
    const again = await run(["export", "--namespace", "team"], 0, { dataDir: b });
    const key = (m: Memory) =>
      JSON.stringify([m.id, m.namespace, m.kind, m.content, m.actor, m.eventTime, m.tags, m.metadata]);
    const got = again.stdout.trim().split("\n").map((l) => key(JSON.parse(l))).sort();
    const want = exported.map(key).sort();
    again.show(JSON.stringify(got) === JSON.stringify(want), `import lost something:\n${want.join("\n")}`);
    const st = await run<{ namespaces: Record<string, { memories: number }>; embedderRuntime: string }>(
      ["stats", "--json"],
      0,
      { dataDir: b },
    );
    st.show(st.json.namespaces.team?.memories === 3, "stats does not count the imported memories");
    // A CLI process is a fresh process: the default embedder must get ONNX Runtime, not the fallback.
    st.show(st.json.embedderRuntime.startsWith("onnxruntime"), "the CLI did not embed on ONNX Runtime");
  });
});

Deno.test("import of a missing file exits 4 and the engine demo still runs", async () => {
  await withDir(async (dir) => {
    const r = await run(["import", join(dir, "nope.jsonl")], 4, { dataDir: join(dir, "data") });
    r.show(r.stderr.includes("no such file") && r.stdout === "", "missing import file not reported");
    const d = await run(["demo", "--keys", "2000", "--data-dir", join(dir, "demo")], 0);
    d.show(d.stdout.includes("read 2000/2000 keys"), "demo did not read its keys back");
  });
});
