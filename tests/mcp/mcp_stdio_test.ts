/**
 * End to end over stdio: a real subprocess runs `runStdio` (tests/mcp/_stdio_entry.ts) on a temporary
 * data directory, with the real embedder, and the SDK's own client talks to it through
 * `StdioClientTransport`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { Client, StdioClientTransport } from "./_client.ts";
import { check, runSharedChecks } from "./_checks.ts";

const ENTRY = fileURLToPath(new URL("./_stdio_entry.ts", import.meta.url));

Deno.test("runStdio() serves every tool and the context resource to the SDK client over a real subprocess", async (t) => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dm-mcp-stdio-" });
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", ENTRY, dir],
    env: Deno.env.toObject(),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)));
  const client = new Client({ name: "t4dm-stdio-test", version: "1.0.0" });
  try {
    await client.connect(transport);
    check(client.getServerVersion()?.name === "t4dm", "server info", client.getServerVersion());
    check(
      (client.getInstructions() ?? "").includes("recall_memories"),
      "instructions",
      client.getInstructions(),
    );
    await runSharedChecks(t, client);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- server stderr ---\n${stderr}`, { cause: e });
  } finally {
    await client.close();
  }
  await t.step("the server closes the store when the client goes away, logging only to stderr", async () => {
    // The transport's close ends stdin; the subprocess then drains, closes the store and exits.
    for (let i = 0; i < 100 && !stderr.includes("stopping (stdin closed)"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    check(stderr.includes('serving "') && stderr.includes("stopping (stdin closed)"), "server log", stderr);
  });
  // The store lock is released: the directory can be opened again.
  const { T4DM } = await import("../../src/memory/t4dm.ts");
  const mem = await T4DM.open({
    path: dir,
    embedder: { dim: 512, id: "unused", embed: () => Promise.reject(new Error("not needed")) },
  });
  await mem.close();
  Deno.removeSync(dir, { recursive: true });
});
