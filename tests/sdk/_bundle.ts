/**
 * The SDK (`src/sdk/mod.ts`, the "./sdk" export) bundled for browsers by `deno bundle`, as the tests that
 * run it outside Deno (Node.js, Chromium) load it.
 *
 * @module
 */

/**
 * Bundles the SDK into one ES module at `file`.
 *
 * @param file Where to write the bundle.
 * @returns The bundle's text.
 * @throws {Error} With `deno bundle`'s stderr when it fails.
 */
export async function bundleSdk(file: string): Promise<string> {
  const sdk = new URL("../../src/sdk/mod.ts", import.meta.url).pathname;
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "browser", sdk, "-o", file],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (o.code !== 0) throw new Error(`deno bundle failed: ${new TextDecoder().decode(o.stderr)}`);
  return Deno.readTextFileSync(file);
}
