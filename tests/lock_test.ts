import { T4DX } from "../engine/db.ts";
import { isIOError } from "../engine/errors.ts";

const DB_URL = new URL("../engine/db.ts", import.meta.url).href;

/** A `deno eval` script that opens `dir`, puts `key`, prints one JSON line and then waits or exits. */
function script(dir: string, key: string, hold: boolean): string {
  return `
import { T4DX } from ${JSON.stringify(DB_URL)};
let out;
try {
  const db = await T4DX.open(${JSON.stringify(dir)});
  await db.put(${JSON.stringify(key)}, "from child");
  out = { opened: true };
  if (${hold}) {
    console.log(JSON.stringify(out));
    await new Promise(() => setInterval(() => {}, 1000));
  }
  await db.close();
} catch (e) {
  out = { opened: false, name: e?.name, code: e?.code, message: String(e?.message) };
}
console.log(JSON.stringify(out));
`;
}

interface ChildResult {
  opened: boolean;
  name?: string;
  code?: string;
  message?: string;
}

async function runOpener(dir: string, key: string): Promise<ChildResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script(dir, key, false)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  try {
    return JSON.parse(text.split("\n").at(-1) ?? "");
  } catch {
    throw new Error(
      `child printed no result: ${
        JSON.stringify({ code: out.code, stdout: text, stderr: new TextDecoder().decode(out.stderr) })
      }`,
    );
  }
}

function inUse(r: ChildResult): boolean {
  return !r.opened && r.code === "IO" && /in use/.test(r.message ?? "");
}

Deno.test("a second process cannot open a store that is open, and can once it is closed", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_lock_" });
  const db = await T4DX.open(dir);
  await db.put("parent", "1");
  const whileOpen = await runOpener(dir, "child-1");
  await db.close();
  const afterClose = await runOpener(dir, "child-2");
  const again = await T4DX.open(dir);
  const seen = {
    parent: again.getString("parent"),
    c1: again.getString("child-1"),
    c2: again.getString("child-2"),
  };
  await again.close();
  const state = JSON.stringify({ whileOpen, afterClose, seen });
  if (!inUse(whileOpen) || !afterClose.opened) throw new Error(`lock not enforced or not released: ${state}`);
  if (seen.parent !== "1" || seen.c1 !== undefined || seen.c2 !== "from child") {
    throw new Error(`wrong data after the lock hand-over: ${state}`);
  }
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("a lock held by a process that is killed is released with it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_lock_" });
  const holder = new Deno.Command(Deno.execPath(), {
    args: ["eval", script(dir, "holder", true)],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = holder.stdout.getReader();
  const first = new TextDecoder().decode((await reader.read()).value ?? new Uint8Array()).trim();
  let whileHeld: string;
  try {
    const db = await T4DX.open(dir);
    await db.close();
    whileHeld = "opened";
  } catch (e) {
    whileHeld = isIOError(e) ? `IOError: ${(e as Error).message}` : `other: ${String(e)}`;
  }
  holder.kill("SIGKILL");
  await holder.status;
  reader.releaseLock();
  await holder.stdout.cancel();
  const db = await T4DX.open(dir);
  const v = db.getString("holder");
  await db.close();
  const state = JSON.stringify({ first, whileHeld, holderValue: v });
  if (first !== '{"opened":true}' || !/^IOError: .*in use/.test(whileHeld) || v !== "from child") {
    throw new Error(`unexpected: ${state}`);
  }
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("a second open of an open store in the same process is refused with the same error", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_lock_" });
  const db = await T4DX.open(dir);
  let second: string;
  try {
    const db2 = await T4DX.open(dir);
    await db2.close();
    second = "opened";
  } catch (e) {
    second = isIOError(e) ? `IOError: ${(e as Error).message}` : `other: ${String(e)}`;
  }
  await db.close();
  if (!/^IOError: .*in use/.test(second)) throw new Error(`unexpected: ${JSON.stringify({ second })}`);
  Deno.removeSync(dir, { recursive: true });
});
