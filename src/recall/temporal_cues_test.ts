import { findTimeCues, stripTimeCues, temporalProximity, type TimeCue } from "./temporal_cues.ts";
import { expectEqual } from "./_test_util.ts";

const NOW = Date.UTC(2023, 9, 22, 12); // Sunday 22 October 2023
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
function ranges(text: string): string[] {
  return findTimeCues(text, NOW).map((c) => `${c.text}: ${day(c.startMs)}..${day(c.endMs)}`);
}

Deno.test("findTimeCues() gives the calendar unit the text pins down", async (t) => {
  await t.step(
    "a day",
    () => expectEqual(ranges("What happened on 3 June, 2023?"), ["on 3 June, 2023: 2023-06-03..2023-06-04"]),
  );
  await t.step(
    "a month",
    () => expectEqual(ranges("in October 2023"), ["October 2023: 2023-10-01..2023-11-01"]),
  );
  await t.step(
    "a month without a year",
    () => expectEqual(ranges("camping in June?"), ["June: 2023-06-01..2023-07-01"]),
  );
  await t.step(
    "a relative year",
    () => expectEqual(ranges("a trip last year"), ["last year: 2022-01-01..2023-01-01"]),
  );
  await t.step(
    "a bare year",
    () => expectEqual(ranges("What did he do in 2022?"), ["2022: 2022-01-01..2023-01-01"]),
  );
  await t.step(
    "yesterday",
    () => expectEqual(ranges("who called yesterday"), ["yesterday: 2023-10-21..2023-10-22"]),
  );
});

Deno.test("findTimeCues() ignores time-of-day words and dateless questions", () => {
  expectEqual(ranges("How did he feel about the opening night?"), []);
  expectEqual(ranges("What is her favourite book?"), []);
});

Deno.test("findTimeCues() does not count a year twice", () => {
  expectEqual(ranges("What did she paint in July 2023?").length, 1);
});

Deno.test("temporalProximity() is 1 inside, decays outside, takes the best cue and is 0 without cues", () => {
  const may: TimeCue = { text: "May", index: 0, startMs: Date.UTC(2023, 4, 1), endMs: Date.UTC(2023, 5, 1) };
  const aug: TimeCue = { text: "Aug", index: 0, startMs: Date.UTC(2023, 7, 1), endMs: Date.UTC(2023, 8, 1) };
  const weekBeforeMay = Date.UTC(2023, 3, 24);
  const got = [
    temporalProximity(Date.UTC(2023, 4, 31, 23), [may]),
    temporalProximity(weekBeforeMay, [may]),
    temporalProximity(weekBeforeMay, [may], { scaleMs: 14 * 86_400_000 }),
    temporalProximity(Date.UTC(2023, 7, 2), [may, aug]),
    temporalProximity(Date.UTC(2023, 7, 2), []),
  ].map((x) => Math.round(x * 1e6) / 1e6);
  expectEqual(got, [1, Math.round(Math.exp(-1) * 1e6) / 1e6, Math.round(Math.exp(-0.5) * 1e6) / 1e6, 1, 0]);
});

Deno.test("stripTimeCues() removes the cue with its preposition", () => {
  const cases = [
    ["What setback did she face in October 2023?", "What setback did she face?"],
    ["What did Maria share on 16 June, 2023 with John?", "What did Maria share with John?"],
    ["Where did he go last year?", "Where did he go?"],
    ["What is her favourite book?", "What is her favourite book?"],
  ];
  expectEqual(cases.map(([q]) => stripTimeCues(q!, findTimeCues(q!, NOW))), cases.map(([, want]) => want));
});
