import { resolveWhen } from "./time_window.ts";

const NOW = Date.UTC(2023, 7, 15, 12); // Tuesday 15 August 2023, noon UTC
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

Deno.test("resolveWhen() turns phrases into day, week, month and year windows", () => {
  const cases: [string, string, string][] = [
    ["yesterday", "2023-08-14", "2023-08-15"],
    ["last Tuesday", "2023-08-08", "2023-08-09"],
    ["in May 2023", "2023-05-01", "2023-06-01"],
    ["on 8 May, 2023", "2023-05-08", "2023-05-09"],
    ["last month", "2023-07-01", "2023-08-01"],
    ["what happened last year?", "2022-01-01", "2023-01-01"],
    ["back in 2019", "2019-01-01", "2020-01-01"],
    ["last week", "2023-08-08", "2023-08-15"],
  ];
  const bad: string[] = [];
  for (const [text, from, to] of cases) {
    const w = resolveWhen(text, NOW);
    const got = w ? `${iso(w.from)}..${iso(w.to)}` : "none";
    if (got !== `${from}..${to}`) bad.push(`${JSON.stringify(text)}: want ${from}..${to}, got ${got}`);
  }
  if (bad.length) throw new Error(bad.join("\n"));
});

Deno.test("resolveWhen() finds nothing in a question without a time", () => {
  const w = resolveWhen("When did Caroline go to the support group?", NOW);
  if (w !== undefined) throw new Error(`unexpected window ${JSON.stringify(w)}`);
});
