import { formatBytes, formatDuration, Progress } from "./progress.ts";

function run(tty: boolean, steps: [number, number, number][], totalBytes?: number): string[] {
  let t = 0;
  const out: string[] = [];
  const o = {
    label: "t4dm import",
    tty,
    clock: () => t,
    write: (s: string) => void out.push(s),
    columns: 200,
  };
  const p = new Progress(totalBytes === undefined ? o : { ...o, totalBytes });
  for (const [at, items, bytes] of steps) {
    t = at;
    p.update(items, bytes);
  }
  p.finish();
  return out;
}

Deno.test("Progress draws a bar with share, count, rate and ETA on a terminal, then clears it", () => {
  const out = run(true, [[100, 1, 10], [2000, 500, 5000], [2050, 510, 5100]], 10_000);
  const want = [
    "\r\x1b[Kt4dm import [████████████░░░░░░░░░░░░] 50%  500 lines  5.0 kB/10 kB  250 lines/s  ETA 0:02",
    "\r\x1b[K",
  ];
  if (JSON.stringify(out) !== JSON.stringify(want)) {
    throw new Error(`got  ${JSON.stringify(out)}\nwant ${JSON.stringify(want)}`);
  }
});

Deno.test("Progress prints a plain line per interval when stderr is not a terminal, with no total", () => {
  const out = run(false, [[500, 10, 100], [2000, 400, 4000], [3000, 600, 6000], [4100, 800, 8000]]);
  const want = [
    "t4dm import: 400 lines, 200 lines/s, elapsed 0:02\n",
    "t4dm import: 800 lines, 195 lines/s, elapsed 0:04\n",
  ];
  if (JSON.stringify(out) !== JSON.stringify(want)) {
    throw new Error(`got  ${JSON.stringify(out)}\nwant ${JSON.stringify(want)}`);
  }
});

Deno.test("formatBytes() and formatDuration() are short and readable", () => {
  const got = [
    formatBytes(999),
    formatBytes(1500),
    formatBytes(72_000),
    formatBytes(3.2e9),
    formatDuration(75),
  ]
    .concat(formatDuration(3725));
  const want = ["999 B", "1.5 kB", "72 kB", "3.2 GB", "1:15", "1:02:05"];
  if (got.join("|") !== want.join("|")) throw new Error(`got ${got.join("|")}, want ${want.join("|")}`);
});
