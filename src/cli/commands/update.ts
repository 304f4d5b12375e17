/**
 * `t4dm update <id>`: a new version of a memory; the old one stays in its history.
 *
 * @module
 */
import type { Command } from "../command.ts";
import type { Kind, UpdatePatch } from "../../memory/schema.ts";
import { UsageError } from "../args.ts";
import { defined, metaArgs, numberArg, timeArg } from "../_convert.ts";

const FIELDS = ["content", "actor", "kind", "event-time", "importance", "tag", "meta"];

/** The `update` command. */
export const update: Command = {
  name: "update",
  summary: "change a memory (keeps the old version in its history)",
  description: "Writes a new version with the given fields changed. --tag and --meta replace the\n" +
    "memory's tags and metadata as a whole. Exits 4 when there is no such memory.",
  args: [{ name: "id", help: "the memory's id" }],
  flags: {
    content: { type: "string", arg: "C", help: "new content" },
    actor: { type: "string", arg: "A", help: "new actor" },
    kind: { type: "string", arg: "K", help: "new kind: episodic, semantic or procedural" },
    "event-time": { type: "string", arg: "T", help: "new event time: ISO-8601 or ms" },
    importance: { type: "string", arg: "X", help: "new importance, 0..1" },
    tag: { type: "string", multiple: true, arg: "T", help: "the new tags (repeatable; replaces all tags)" },
    meta: {
      type: "string",
      multiple: true,
      arg: "KEY=VALUE",
      help: "the new metadata (repeatable; replaces all)",
    },
  },
  examples: [
    'update ID --content "Carol lives in Porto"',
    "update ID --importance 0.9 --tag family --tag home",
  ],
  async run(ctx) {
    const a = ctx.args;
    if (!FIELDS.some((f) => a.has(f))) {
      throw new UsageError(
        `nothing to update: give at least one of ${FIELDS.map((f) => `--${f}`).join(", ")}`,
      );
    }
    const tags = a.strings("tag");
    const patch: UpdatePatch = defined({
      content: a.string("content"),
      actor: a.string("actor"),
      kind: a.string("kind") as Kind | undefined, // checked by the schema
      eventTime: timeArg("event-time", a.string("event-time")),
      importance: numberArg("importance", a.string("importance")),
      tags: tags.length ? tags : undefined,
      metadata: metaArgs(a.strings("meta")),
    });
    const mem = await ctx.memory();
    const m = await mem.update(a.positionals[0]!, patch, defined({ namespace: ctx.global.namespace }));
    if (ctx.global.json) await ctx.out.json(m);
    else await ctx.out.line(`updated ${m.id} to version ${m.version}`);
    return 0;
  },
};
