/**
 * One-time set-up that every task runs first: installs the npm dependencies into `node_modules/` and
 * builds the native `hnswlib-node` addon with node-gyp against the local Node.js headers.
 *
 * Deno does not run node-gyp for packages that ship only a `binding.gyp`, and `onnxruntime-node`'s
 * install script tries to download GPU files this network cannot reach; so no npm install script is
 * allowed, and the one native build we need is done here. The CPU binaries of onnxruntime-node ship
 * inside its package. The script is idempotent: a second run costs a few milliseconds.
 *
 * @module
 */
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): void {
  const out = new Deno.Command(cmd, { args, cwd, env, stdout: "inherit", stderr: "inherit" }).outputSync();
  if (!out.success) {
    throw new Error(`Setup failed: "${cmd} ${args.join(" ")}" exited with code ${out.code} in "${cwd}"`);
  }
}

function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** Finds a Node.js prefix whose `include/node/node_api.h` node-gyp can build against, offline. */
function nodeDir(): string | undefined {
  const fromEnv = Deno.env.get("npm_config_nodedir");
  if (fromEnv && existsSync(join(fromEnv, "include/node/node_api.h"))) return fromEnv;
  const node = which("node");
  if (!node) return undefined;
  const prefix = dirname(dirname(realpathSync(node)));
  return existsSync(join(prefix, "include/node/node_api.h")) ? prefix : undefined;
}

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const quiet = { DENO_NO_UPDATE_CHECK: "1" };
run(Deno.execPath(), ["install", "--quiet"], root, quiet);

const store = join(root, "node_modules/.deno");
const pkgs = readdirSync(store).filter((d) => d.startsWith("hnswlib-node@"));
if (pkgs.length === 0) throw new Error(`Setup failed: hnswlib-node is not in "${store}"`);
for (const pkg of pkgs) {
  const dir = join(store, pkg, "node_modules/hnswlib-node");
  if (existsSync(join(dir, "build/Release/addon.node"))) continue;
  const nd = nodeDir();
  if (!which("npx")) throw new Error("Setup failed: building hnswlib-node needs Node.js and npm on PATH");
  console.error(`setup: building ${pkg} with node-gyp${nd ? ` against ${nd}` : ""}`);
  const args = ["--yes", "node-gyp@11", "rebuild"];
  if (nd) args.push(`--nodedir=${nd}`);
  run("npx", args, dir, { ...quiet, ...(nd ? { npm_config_nodedir: nd } : {}) });
}
