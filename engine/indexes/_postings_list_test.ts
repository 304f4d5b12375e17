import { IdTable } from "./_postings_eval.ts";
import { type PostingChange, PostingsList } from "./_postings_list.ts";
import { mulberry32 } from "../util/rng.ts";

function listOf(table: IdTable, entries: [string, number][]): PostingsList {
  return new PostingsList({
    docs: Int32Array.from(entries.map(([id]) => table.number(id))),
    tfs: Float64Array.from(entries.map(([, tf]) => tf)),
    lens: Float64Array.from(entries.map(([, tf]) => tf + 1)),
  });
}

function entries(table: IdTable, v: { docs: Int32Array; tfs: Float64Array }): string {
  return [...v.docs].map((d, i) => `${table.ids[d]}:${v.tfs[i]}`).join(" ");
}

Deno.test("PostingsList keeps id order and last-change-wins through random patches, like a sorted map", () => {
  const rng = mulberry32(5);
  const table = new IdTable();
  const model = new Map<string, number>();
  const list = listOf(table, []);
  for (let step = 0; step < 2000; step++) {
    const changes: PostingChange[] = [];
    // Mostly new ids past the end (the append path), sometimes anywhere, removals and repeats.
    for (let j = 0; j < 1 + Math.floor(rng() * 4); j++) {
      const r = rng();
      const id = r < 0.5 ? `z${String(step).padStart(5, "0")}${j}` : `m${Math.floor(rng() * 60)}`;
      const tf = r > 0.85 ? 0 : 1 + Math.floor(rng() * 3);
      changes.push({ id, tf, docLen: tf + 1 });
    }
    const before = list.view();
    const shown = entries(table, before);
    list.patch(changes, table);
    if (rng() < 0.3) list.patch(changes, table); // again: idempotent
    for (const c of changes) c.tf > 0 ? model.set(c.id, c.tf) : model.delete(c.id);
    const want = [...model].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, tf]) => `${id}:${tf}`).join(" ");
    const got = entries(table, list.view());
    if (got !== want) throw new Error(`step ${step}:\n got  ${got}\n want ${want}`);
    if (entries(table, before) !== shown) {
      throw new Error(`step ${step}: a view taken before the patch changed`);
    }
  }
  if (model.size < 100) throw new Error(`only ${model.size} ids: the test did not exercise appends`);
});

Deno.test("PostingsList appends new ids into spare room without touching an earlier view", () => {
  const table = new IdTable();
  const list = listOf(table, [["a", 1], ["b", 2]]);
  const v1 = list.view();
  list.patch([{ id: "c", tf: 1, docLen: 2 }], table); // grows: room for more
  const v2 = list.view();
  list.patch([{ id: "d", tf: 3, docLen: 4 }], table); // into the spare room of v2's columns
  if (entries(table, v1) !== "a:1 b:2") throw new Error(`v1: ${entries(table, v1)}`);
  if (entries(table, v2) !== "a:1 b:2 c:1") throw new Error(`v2: ${entries(table, v2)}`);
  if (entries(table, list.view()) !== "a:1 b:2 c:1 d:3") throw new Error(entries(table, list.view()));
  if (v2.docs.buffer !== list.view().docs.buffer) throw new Error("the append copied the columns");
  list.patch([{ id: "b", tf: 0, docLen: 0 }], table); // a removal builds fresh columns
  if (entries(table, v2) !== "a:1 b:2 c:1") throw new Error(`v2 after removal: ${entries(table, v2)}`);
  if (entries(table, list.view()) !== "a:1 c:1 d:3") throw new Error(entries(table, list.view()));
});
