import { parseArgs, UsageError } from "./args.ts";
import { mapError } from "../memory/errors.ts";

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
