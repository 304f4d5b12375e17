/**
 * `t4dm store <content>`: stores one memory.
 *
 * @module
 */
import type { Command } from "../command.ts";
import type { Kind, StoreInput } from "../../memory/schema.ts";
import { defined, metaArgs, numberArg, timeArg } from "../_convert.ts";

/** The `store` command. */
export const store: Command = {
  name: "store",
  summary: "store a memory",
  description: "Stores one memory and prints its id (--json: the whole stored memory).",
  args: [{ name: "content", help: "what happened or what is known, as text (quote it)" }],
  flags: {
    actor: { type: "string", arg: "A", help: "who said or did it" },
    session: { type: "string", arg: "S", help: "conversation or task session" },
    kind: { type: "string", arg: "K", help: "episodic (default), semantic or procedural" },
    "event-time": { type: "string", arg: "T", help: "when it happened: ISO-8601 or ms (default: now)" },
    importance: { type: "string", arg: "X", help: "0..1 (default 0.5)" },
    tag: { type: "string", multiple: true, arg: "T", help: "a tag (repeatable)" },
    meta: {
      type: "string",
      multiple: true,
      arg: "KEY=VALUE",
      help: "metadata; JSON values or text (repeatable)",
    },
    id: { type: "string", arg: "ID", help: "id to use instead of a new UUIDv7" },
  },
  examples: [
    'store "Ada prefers green tea" --actor ada --tag drinks',
    'store "Sprint review moved to Friday" --event-time 2024-05-06T09:00:00Z --importance 0.8',
  ],
  async run(ctx) {
    const a = ctx.args;
    const tags = a.strings("tag");
    const input: StoreInput = {
      content: a.positionals[0]!,
      ...defined({
        namespace: ctx.global.namespace,
        actor: a.string("actor"),
        session: a.string("session"),
        kind: a.string("kind") as Kind | undefined, // checked by the schema
        eventTime: timeArg("event-time", a.string("event-time")),
        importance: numberArg("importance", a.string("importance")),
        tags: tags.length ? tags : undefined,
        metadata: metaArgs(a.strings("meta")),
        id: a.string("id"),
      }),
    };
    const m = await (await ctx.memory()).store(input);
    if (ctx.global.json) await ctx.out.json(m);
    else await ctx.out.line(`stored ${m.id}`);
    return 0;
  },
};
