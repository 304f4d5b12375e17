import { MemoryError } from "../memory/errors.ts";
import { createKey, listKeys, revokeKey } from "./keys.ts";
import { KeyStore } from "./key_store.ts";

Deno.test("createKey() stores only a hash, in a private file written without leftovers", async () => {
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/sub/keys.json`;
  const { token, key } = await createKey(file, {
    namespaces: ["a", "a", "b"],
    scopes: ["write", "read"],
    label: "ci",
  });
  const text = Deno.readTextFileSync(file);
  const secret = token.split("_")[2]!;
  const state = JSON.stringify({ key, files: [...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name) });
  if (text.includes(secret) || !/"hash": "[0-9a-f]{64}"/.test(text)) throw new Error(text);
  if (state !== JSON.stringify({ ...{ key }, files: ["keys.json"] })) throw new Error(state);
  if (JSON.stringify(key.namespaces) !== '["a","b"]' || JSON.stringify(key.scopes) !== '["read","write"]') {
    throw new Error(state);
  }
  if (Deno.build.os !== "windows" && (Deno.statSync(file).mode! & 0o077) !== 0) {
    throw new Error("file readable by others");
  }
  const listed = await listKeys(file);
  if (JSON.stringify(listed) !== JSON.stringify([key]) || "hash" in listed[0]!) {
    throw new Error(JSON.stringify(listed));
  }
});

Deno.test("createKey() rejects empty or malformed namespaces and scopes", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const bad = [
    { namespaces: [], scopes: ["read" as const] },
    { namespaces: ["../etc"], scopes: ["read" as const] },
    { namespaces: ["a"], scopes: [] },
    { namespaces: ["a"], scopes: ["root" as "read"] },
  ];
  for (const o of bad) {
    try {
      await createKey(file, o);
      throw new Error(`accepted ${JSON.stringify(o)}`);
    } catch (e) {
      if (!(e instanceof MemoryError) || e.code !== "VALIDATION") throw e;
    }
  }
  if ((await listKeys(file)).length !== 0) throw new Error("stored a key");
});

Deno.test("concurrent createKey() calls lose no key; revokeKey() is false for unknown ids", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const made = await Promise.all(
    Array.from({ length: 8 }, (_, i) => createKey(file, { namespaces: [`ns${i}`], scopes: ["read"] })),
  );
  const ids = (await listKeys(file)).map((k) => k.id).sort();
  if (JSON.stringify(ids) !== JSON.stringify(made.map((m) => m.key.id).sort())) throw new Error(ids.join());
  if (await revokeKey(file, "nope")) throw new Error("revoked an unknown key");
  if (!(await revokeKey(file, ids[0]!)) || await revokeKey(file, ids[0]!)) throw new Error("revoke not once");
  const ks = await KeyStore.open(file);
  if (await ks.active() !== 7) throw new Error(String(await ks.active()));
});

Deno.test("KeyStore fails closed when the keys file turns unreadable", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const { token } = await createKey(file, { namespaces: ["*"], scopes: ["admin"] });
  let now = 0;
  const ks = await KeyStore.open(file, { clock: () => now });
  if ((await ks.verify(token))?.namespaces !== "*") throw new Error("not verified");
  Deno.writeTextFileSync(file, "{ torn");
  now += 5000;
  try {
    await ks.verify(token);
    throw new Error("accepted a key from a corrupt file");
  } catch (e) {
    if (!(e instanceof MemoryError) || e.code !== "UNAVAILABLE") throw e;
  }
});
