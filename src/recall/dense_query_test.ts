import { denseQueryText } from "./dense_query.ts";
import { findTimeCues } from "./temporal_cues.ts";
import { expectEqual } from "./_test_util.ts";

Deno.test("denseQueryText() turns a question into the statement it asks about", () => {
  const cases = [
    ["What did Caroline research?", "Caroline research"],
    ["How many times has Melanie gone to the beach?", "Melanie gone to the beach"],
    [
      "In what activity did Maria and her friends participate?",
      "activity did Maria and her friends participate",
    ],
    ["Why did he quit his job?", "he quit his job"],
    ["Would he still want to move?", "Would he still want to move"],
  ];
  expectEqual(cases.map(([q]) => denseQueryText(q!)), cases.map(([, want]) => want));
});

Deno.test("denseQueryText() removes known actors' names, possessives included, whole words only", () => {
  const actors = ["Caroline", "Jon"];
  expectEqual(denseQueryText("What is Caroline's identity?", { actors }), "identity");
  expectEqual(denseQueryText("When did Jon meet Jonathan?", { actors }), "meet Jonathan");
});

Deno.test("denseQueryText() removes date cues", () => {
  const q = "What did Mel paint in July 2023?";
  expectEqual(denseQueryText(q, { cues: findTimeCues(q, Date.UTC(2023, 9, 1)) }), "Mel paint");
});

Deno.test("denseQueryText() returns the query when nothing would be left", () => {
  expectEqual(denseQueryText("Who is Caroline?", { actors: ["Caroline"] }), "Who is Caroline?");
  expectEqual(denseQueryText("garden roses"), "garden roses");
});
