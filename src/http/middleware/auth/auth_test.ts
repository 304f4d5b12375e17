import { Hono } from "hono";
import type { AppEnv } from "../../_env.ts";
import { createKey, revokeKey } from "../../keys.ts";
import { KeyStore } from "../../key_store.ts";
import { problem } from "../problem/mod.ts";
import { auth, type AuthOptions } from "./auth.ts";

function app(o: AuthOptions): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.onError(problem());
  a.get("/", auth(o), (c) => c.json(c.get("principal")));
  return a;
}

const get = (a: Hono<AppEnv>, authz?: string) =>
  a.fetch(new Request("http://t/", authz === undefined ? {} : { headers: { authorization: authz } }));

Deno.test("auth() runs open without keys and refuses everything with requireAuth", async () => {
  const open = await get(app({ scope: "admin" }));
  const p = await open.json();
  if (open.status !== 200 || p.keyId !== null || p.namespaces !== "*") throw new Error(JSON.stringify(p));
  const locked = await get(app({ scope: "read", requireAuth: true }));
  if (locked.status !== 401) throw new Error(String(locked.status));
  await locked.body?.cancel();
});

Deno.test("auth() needs a valid bearer key once a key exists, and checks the route's scope", async (t) => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  let now = 0;
  const reader = await createKey(file, { namespaces: ["a", "b"], scopes: ["read"] });
  const admin = await createKey(file, { namespaces: ["*"], scopes: ["admin"] });
  const keys = await KeyStore.open(file, { clock: () => now });
  const readRoute = app({ keys, scope: "read" });
  const writeRoute = app({ keys, scope: "write" });
  const status = async (a: Hono<AppEnv>, authz?: string) => {
    const r = await get(a, authz);
    const body = await r.text();
    return `${r.status} ${r.status === 401 ? r.headers.get("www-authenticate") : ""} ${body.slice(0, 0)}`
      .trim();
  };
  await t.step("no header, a malformed header and a wrong key get 401 with WWW-Authenticate", async () => {
    const got = [
      await status(readRoute),
      await status(readRoute, reader.token),
      await status(readRoute, `Basic ${reader.token}`),
      // The last character changed (it is "A" one time in 16: 43 base64url characters of 32 bytes end in
      // one of 16, so appending "A" after slicing could give the key back).
      await status(readRoute, `Bearer ${reader.token.slice(0, -1)}${reader.token.endsWith("A") ? "E" : "A"}`),
      await status(readRoute, "Bearer t4dm_000000000000_" + "A".repeat(43)),
    ];
    const want = Array(5).fill('401 Bearer realm="t4dm"');
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(JSON.stringify(got));
  });
  await t.step(
    "a read key reads, cannot write; admin implies write; the default namespace is the first",
    async () => {
      const r = await get(readRoute, `Bearer ${reader.token}`);
      const p = await r.json();
      if (r.status !== 200 || p.defaultNamespace !== "a" || p.keyId !== reader.key.id) {
        throw new Error(
          JSON.stringify(p),
        );
      }
      const w = await get(writeRoute, `bearer  ${reader.token}`);
      if (w.status !== 403 || !(await w.json()).detail.includes('"write" scope')) {
        throw new Error(
          String(w.status),
        );
      }
      const adm = await (await get(writeRoute, `Bearer ${admin.token}`)).json();
      if (JSON.stringify(adm.scopes) !== '["read","write","admin"]') throw new Error(JSON.stringify(adm));
    },
  );
  await t.step("a revoked key stops working once the store re-reads the file", async () => {
    await revokeKey(file, reader.key.id);
    if ((await get(readRoute, `Bearer ${reader.token}`)).status !== 200) {
      throw new Error("reloaded too early");
    }
    now += 1000;
    const r = await get(readRoute, `Bearer ${reader.token}`);
    if (r.status !== 401) throw new Error(String(r.status));
    await r.body?.cancel();
  });
});
