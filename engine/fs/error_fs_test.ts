import { isIOError } from "../errors.ts";
import { ErrorFs, type FsCall, globToRegExp } from "./error_fs.ts";
import { MemFs } from "./mem_fs.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

function fail(what: string, state: unknown): never {
  throw new Error(`${what}: ${JSON.stringify(state)}`);
}

/** Runs `f` and says how it ended: "ok" or the error's name and message. */
function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return isIOError(e) ? `IOError: ${(e as Error).message}` : `other: ${String(e)}`;
  }
}

async function outcomeAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (e) {
    return isIOError(e) ? `IOError: ${(e as Error).message}` : `other: ${String(e)}`;
  }
}

function setup(): { mem: MemFs; fs: ErrorFs } {
  const mem = new MemFs();
  mem.mkdirp("/db");
  return { mem, fs: new ErrorFs(mem) };
}

Deno.test("globToRegExp() matches * across any characters and escapes the rest", () => {
  const cases: [string, string, boolean][] = [
    ["/db/*.sst", "/db/000001.sst", true],
    ["/db/*.sst", "/db/000001.log", false],
    ["*.log", "/a/b/000003.log", true],
    ["*CURRENT*", "/db/CURRENT.7.tmp", true],
    ["/db/a.b", "/db/axb", false],
    ["/db/(x)", "/db/(x)", true],
    ["*", "", true],
  ];
  const got = cases.map(([g, p]) => globToRegExp(g).test(p));
  if (got.some((g, i) => g !== cases[i]![2])) fail("glob mismatch", { cases, got });
});

Deno.test("ErrorFs fails every matching call when no nth is given, and nothing else", () => {
  const { fs } = setup();
  const fault = fs.inject({ op: "append", path: "/db/*.sst" });
  const sst = fs.openWritable("/db/000001.sst");
  const log = fs.openWritable("/db/000002.log");
  const got = [
    outcome(() => sst.append(bytes(1))),
    outcome(() => log.append(bytes(1))),
    outcome(() => sst.append(bytes(2))),
  ];
  const state = { got, matched: fault.matched, fired: fault.fired, size: sst.size() };
  const want = [
    'IOError: Injected failure: append "/db/000001.sst"',
    "ok",
    'IOError: Injected failure: append "/db/000001.sst"',
  ];
  if (JSON.stringify(got) !== JSON.stringify(want) || fault.fired !== 2 || sst.size() !== 0) {
    fail("unexpected", state);
  }
});

Deno.test("ErrorFs fails only the n-th matching call, then the rule is spent", async () => {
  const { fs } = setup();
  const fault = fs.inject({ op: "sync", nth: 3 });
  const f = fs.openWritable("/db/000001.log");
  const got: string[] = [];
  for (let i = 0; i < 5; i++) got.push(await outcomeAsync(() => f.sync()));
  const want = ["ok", "ok", 'IOError: Injected failure: sync "/db/000001.log"', "ok", "ok"];
  const state = { got, matched: fault.matched, fired: fault.fired };
  if (JSON.stringify(got) !== JSON.stringify(want) || fault.matched !== 5 || fault.fired !== 1) {
    fail("unexpected", state);
  }
});

Deno.test("ErrorFs honours times and can be disarmed and re-armed", () => {
  const { fs } = setup();
  const fault = fs.inject({ op: "remove", times: 2 });
  const got: string[] = [];
  got.push(outcome(() => fs.remove("/db/a")));
  fault.disarm();
  got.push(outcome(() => fs.remove("/db/a")));
  fault.arm();
  got.push(outcome(() => fs.remove("/db/a")));
  got.push(outcome(() => fs.remove("/db/a")));
  const short = got.map((g) => g.split(":")[0]);
  const state = { got, matched: fault.matched, fired: fault.fired, armed: fault.armed };
  if (short.join() !== "IOError,ok,IOError,ok" || fault.fired !== 2 || fault.matched !== 3) {
    fail("unexpected", state);
  }
});

Deno.test("ErrorFs matches a rename by its source or its target and leaves both files alone", () => {
  const { mem, fs } = setup();
  const t = mem.openWritable("/db/CURRENT.5.tmp");
  t.append(bytes(7));
  fs.inject({ op: "rename", path: "/db/CURRENT" });
  const got = outcome(() => fs.rename("/db/CURRENT.5.tmp", "/db/CURRENT"));
  const state = { got, tmp: mem.exists("/db/CURRENT.5.tmp"), cur: mem.exists("/db/CURRENT") };
  if (!got.startsWith("IOError") || !got.includes('to "/db/CURRENT"') || !state.tmp || state.cur) {
    fail("unexpected", state);
  }
});

Deno.test("ErrorFs rejects sync and syncDir instead of throwing synchronously", async () => {
  const { mem, fs } = setup();
  fs.inject({ op: ["sync", "syncDir"] });
  const f = fs.openWritable("/db/000001.log");
  f.append(bytes(1, 2, 3));
  let threw = false;
  let p1: Promise<void> | undefined, p2: Promise<void> | undefined;
  try {
    p1 = f.sync();
    p2 = fs.syncDir("/db");
  } catch {
    threw = true;
  }
  const got = [await outcomeAsync(() => p1!), await outcomeAsync(() => p2!)];
  const survived = mem.crashClone().exists("/db/000001.log");
  if (threw || got.some((g) => !g.startsWith("IOError")) || survived) {
    fail("unexpected", { threw, got, survived });
  }
});

Deno.test("ErrorFs uses the rule's own error when given one", () => {
  const { fs } = setup();
  fs.inject({ op: "openWritable", error: (c) => new RangeError(`no space for ${c.path}`) });
  const got = outcome(() => fs.openWritable("/db/x"));
  if (got !== "other: RangeError: no space for /db/x") fail("unexpected", { got });
});

Deno.test("ErrorFs counts every call by operation and path, failed ones included", async () => {
  const { fs } = setup();
  fs.inject({ op: "append", nth: 2 });
  const f = fs.openWritable("/db/000001.log");
  for (let i = 0; i < 3; i++) outcome(() => f.append(bytes(i)));
  await f.sync();
  f.close();
  const r = fs.openRandom("/db/000001.log");
  const read = Array.from(r.read(0, 10));
  const counts = {
    append: fs.count("append"),
    appendLog: fs.count("append", "*.log"),
    appendSst: fs.count("append", "*.sst"),
    sync: fs.count("sync"),
    read: fs.count("read"),
    all: fs.count(),
    read_bytes: read,
  };
  const want = { append: 3, appendLog: 3, appendSst: 0, sync: 1, read: 1, all: 8, read_bytes: [0, 2] };
  if (JSON.stringify(counts) !== JSON.stringify(want)) fail("unexpected counts", { counts, want });
  fs.resetCounts();
  if (fs.count() !== 0) fail("counters not reset", { all: fs.count() });
});

Deno.test("ErrorFs calls onCall before each call, so a test can crash-clone at an exact point", () => {
  const { mem, fs } = setup();
  const seen: FsCall[] = [];
  let clone: MemFs | undefined;
  fs.onCall = (c) => {
    seen.push(c);
    if (c.op === "rename") clone = mem.crashClone();
  };
  fs.openWritable("/db/a").close();
  fs.rename("/db/a", "/db/b");
  const state = { seen, cloneHasA: clone?.exists("/db/a"), liveHasB: mem.exists("/db/b") };
  const ops = seen.map((c) => c.op).join();
  if (ops !== "openWritable,close,rename" || seen[2]!.to !== "/db/b" || !state.liveHasB) {
    fail("unexpected", state);
  }
});

Deno.test("ErrorFs.inject() rejects an nth that is not a positive integer", () => {
  const { fs } = setup();
  const got = [0, -1, 1.5].map((nth) => {
    try {
      fs.inject({ nth });
      return "accepted";
    } catch (e) {
      return e instanceof RangeError ? "RangeError" : String(e);
    }
  });
  if (got.join() !== "RangeError,RangeError,RangeError") fail("unexpected", { got });
});
