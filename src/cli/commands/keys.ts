/**
 * `t4dm keys add|list|revoke`: API keys of the HTTP daemon (stored hashed in the keys file).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";

/** The `keys` command. */
export const keys: Command = {
  name: "keys",
  summary: "manage the daemon's API keys: keys add | keys list | keys revoke <id>",
  description:
    "`keys add` prints a new token once (only its SHA-256 is stored). A running daemon picks up\n" +
    "changes within a second.",
  local: true,
  args: [{ name: "action", help: "add, list or revoke" }],
  flags: {
    "keys-file": { type: "string", arg: "FILE", help: "API keys file (default <data-dir>/keys.json)" },
    scope: {
      type: "string",
      arg: "SCOPE",
      multiple: true,
      help: "read, write or admin (add; repeatable; default read and write)",
    },
    ns: {
      type: "string",
      arg: "NS",
      multiple: true,
      help: "namespace the key may use, or * (add; repeatable; default *)",
    },
    label: { type: "string", arg: "TEXT", help: "free text to recognise the key by (add)" },
    id: { type: "string", arg: "ID", help: "key id to revoke (revoke)" },
  },
  examples: ["keys add --ns team-a --scope read", "keys list --json", "keys revoke --id 3fa2c81b09de"],
  async run(ctx) {
    const { createKey, listKeys, revokeKey } = await import("../../http/mod.ts");
    const file = ctx.args.string("keys-file") ?? `${ctx.global.dataDir}/keys.json`;
    const action = ctx.args.positionals[0];
    if (action === "add") {
      Deno.mkdirSync(ctx.global.dataDir, { recursive: true });
      const scopes = ctx.args.strings("scope");
      const label = ctx.args.string("label");
      const r = await createKey(file, {
        namespaces: ctx.args.strings("ns").length ? ctx.args.strings("ns") : ["*"],
        scopes: (scopes.length ? scopes : ["read", "write"]) as ("read" | "write" | "admin")[],
        ...(label ? { label } : {}),
      });
      if (ctx.global.json) await ctx.out.json(r);
      else await ctx.out.line(`${r.token}\n(key ${r.key.id}; shown once, store it now)`);
      return 0;
    }
    if (action === "list") {
      const all = await listKeys(file);
      if (ctx.global.json) await ctx.out.json(all);
      else {
        for (const k of all) {
          await ctx.out.line(
            `${k.id}  ${k.scopes.join(",")}  ns=${k.namespaces.join(",")}${k.revokedAt ? "  revoked" : ""}${
              k.label ? `  ${k.label}` : ""
            }`,
          );
        }
      }
      return 0;
    }
    if (action === "revoke") {
      const id = ctx.args.string("id");
      if (!id) throw new UsageError('keys revoke needs flag "--id"');
      const ok = await revokeKey(file, id);
      if (ctx.global.json) await ctx.out.json({ id, revoked: ok });
      else await ctx.out.line(ok ? `revoked ${id}` : `no key ${id}`);
      return ok ? 0 : 4;
    }
    throw new UsageError(`keys needs an action: add, list or revoke (got ${JSON.stringify(action)})`);
  },
};
