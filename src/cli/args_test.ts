import { join } from "node:path";
import { parseArgs, UsageError } from "./args.ts";
import { mapError } from "../memory/errors.ts";
import type { Memory } from "../memory/schema.ts";
import { runCli } from "./run.ts";
import type { GlobalOptions } from "./command.ts";
import { T4DM } from "../memory/t4dm.ts";
import { embedder } from "../http/_testing.ts";

const SPECS = {
  k: { type: "string", help: "" },
  tag: { type: "string", multiple: true, help: "" },
  json: { type: "boolean", help: "" },
  help: { type: "boolean", help: "" },
} as const;

function show(argv: string[]): string {
  const a = parseArgs(argv, SPECS);
  return JSON.stringify({
    pos: a.positionals,
    k: a.string("k"),
    tag: a.strings("tag"),
    json: a.boolean("json"),
  });
}

function usageError(argv: string[]): string {
  try {
    parseArgs(argv, SPECS);
  } catch (e) {
    if (!(e instanceof UsageError) || mapError(e).exitCode !== 2) throw e;
    return e.message;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
}

Deno.test("parseArgs() reads values, booleans, repeats and the -- end of flags", async (t) => {
  const cases: [string[], string][] = [
    [["q", "--k", "3"], '{"pos":["q"],"k":"3","tag":[],"json":false}'],
    [["--k=3", "q"], '{"pos":["q"],"k":"3","tag":[],"json":false}'],
    [["--k", "-1"], '{"pos":[],"k":"-1","tag":[],"json":false}'],
    [["--tag", "a", "--tag=b", "--json"], '{"pos":[],"tag":["a","b"],"json":true}'],
    [["--json=false"], '{"pos":[],"tag":[],"json":false}'],
    [["--", "--k", "-x"], '{"pos":["--k","-x"],"tag":[],"json":false}'],
    [["-", "--k="], '{"pos":["-"],"k":"","tag":[],"json":false}'],
  ];
  for (const [argv, want] of cases) {
    await t.step(argv.join(" "), () => {
      const got = show(argv);
      if (got !== want) throw new Error(`argv ${JSON.stringify(argv)}\n got  ${got}\n want ${want}`);
    });
  }
  if (!parseArgs(["-h"], SPECS).boolean("help")) throw new Error("-h is not --help");
});

Deno.test("parseArgs() rejects unknown flags, missing values and repeats with a usage error", async (t) => {
  const cases: [string[], string][] = [
    [["--tga", "x"], 'unknown flag "--tga" (did you mean "--tag"?)'],
    [["--colour"], 'unknown flag "--colour"'],
    [["--k"], 'flag "--k" needs a value'],
    [["--k", "--json"], 'flag "--k" needs a value (use --k=--json'],
    [["--k", "1", "--k", "2"], 'flag "--k" was given twice'],
    [["--json=yes"], 'flag "--json" takes no value, got "yes"'],
  ];
  for (const [argv, want] of cases) {
    await t.step(argv.join(" "), () => {
      const got = usageError(argv);
      if (!got.startsWith(want)) {
        throw new Error(`argv ${JSON.stringify(argv)}\n got  ${got}\n want ${want}…`);
      }
    });
  }
});

Deno.test("parseArgs() skips -- and reads the flags after it when the command takes no positionals", async (t) => {
  const noPositionals = (argv: string[]) => {
    const a = parseArgs(argv, SPECS, { positionals: false });
    return JSON.stringify({
      pos: a.positionals,
      k: a.string("k"),
      tag: a.strings("tag"),
      json: a.boolean("json"),
    });
  };
  const cases: [string[], string][] = [
    [["--", "--k", "3", "--json"], '{"pos":[],"k":"3","tag":[],"json":true}'],
    [["--tag", "a", "--", "--tag=b", "--", "--json"], '{"pos":[],"tag":["a","b"],"json":true}'],
    // A stray word is still a positional, for the runner to reject.
    [["--", "x"], '{"pos":["x"],"tag":[],"json":false}'],
  ];
  for (const [argv, want] of cases) {
    await t.step(argv.join(" "), () => {
      const got = noPositionals(argv);
      if (got !== want) throw new Error(`argv ${JSON.stringify(argv)}\n got  ${got}\n want ${want}`);
    });
  }
  await t.step("an unknown flag after -- is still a usage error", () => {
    try {
      parseArgs(["--", "--colour"], SPECS, { positionals: false });
    } catch (e) {
      if (e instanceof UsageError && e.message.startsWith('unknown flag "--colour"')) return;
      throw e;
    }
    throw new Error("accepted --colour after --");
  });
});

/** Runs the CLI in process; returns the exit code and both streams. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const sink = () => {
    const chunks: string[] = [];
    const dec = new TextDecoder();
    const w = {
      write: (p: Uint8Array) => (chunks.push(dec.decode(p)), Promise.resolve(p.length)),
      isTerminal: () => false,
    };
    return { w, text: () => chunks.join("") };
  };
  const out = sink();
  const err = sink();
  // The test embedder, not the default: in-process ONNX Runtime would be the first of this `deno test` run
  // after another module's runtime shut it down (cortex/_ort.ts), where it can crash the process.
  const connect = (g: GlobalOptions) => T4DM.open({ path: g.dataDir, embedder });
  const code = await runCli(argv, { env: () => undefined, stdout: out.w, stderr: err.w, connect });
  return { code, stdout: out.text(), stderr: err.text() };
}

Deno.test("runCli() drops -- for a command without positionals and keeps it for one with", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "t4dm-args-test-" });
  const fail = (what: string, argv: string[], r: unknown) => {
    throw new Error(`${what}\n$ t4dm ${argv.join(" ")}\n${JSON.stringify(r, null, 2)}`);
  };
  try {
    await t.step(
      "stats -- --data-dir D --json reads both flags (as `deno task … -- flags` passes them)",
      async () => {
        const argv = ["stats", "--", "--data-dir", join(dir, "a"), "--json"];
        const r = await cli(argv);
        let stats: { namespaces?: unknown } = {};
        try {
          stats = JSON.parse(r.stdout);
        } catch { /* shown below */ }
        if (r.code !== 0 || typeof stats.namespaces !== "object") {
          fail("stats did not run with its flags", argv, r);
        }
        if (
          !(await Deno.stat(join(dir, "a")).then(() => true, () => false))
        ) {
          fail("stats did not open --data-dir", argv, r);
        }
      },
    );
    await t.step("store --json -- -text stores the text that starts with a dash", async () => {
      const argv = ["store", "--data-dir", join(dir, "b"), "--json", "--", "-text starting with a dash"];
      const r = await cli(argv);
      let m: Partial<Memory> = {};
      try {
        m = JSON.parse(r.stdout);
      } catch { /* shown below */ }
      if (r.code !== 0 || m.content !== "-text starting with a dash") {
        fail("store did not keep the text", argv, r);
      }
    });
    await t.step("store -- -x --json takes --json as a second positional (exit 2)", async () => {
      const argv = ["store", "--data-dir", join(dir, "b"), "--", "-x", "--json"];
      const r = await cli(argv);
      if (r.code !== 2 || !r.stderr.startsWith('t4dm store: expected <content>, got "-x" "--json"')) {
        fail("-- did not end the flags of store", argv, r);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
