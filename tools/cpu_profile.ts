/**
 * `deno run -A tools/cpu_profile.ts PORT SECONDS [OUT.cpuprofile]`: samples the CPU of a Deno process
 * started with `--inspect=127.0.0.1:PORT` for SECONDS over the DevTools protocol, prints the functions with
 * the most samples (self and inclusive, % of all samples) and writes the profile (Chrome's format) to OUT.
 *
 * The daemon under load, for example:
 *
 * ```sh
 * deno run --inspect=127.0.0.1:9339 -A --unstable-kv main.ts serve --port 8790 --data-dir /tmp/p &
 * deno task bench:http -- --url http://127.0.0.1:8790 --no-keys --seconds 25 &
 * sleep 8 && deno run -A tools/cpu_profile.ts 9339 10
 * ```
 *
 * @module
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [port, seconds, out] = Deno.args;
if (!port || !seconds) {
  console.error("usage: deno run -A tools/cpu_profile.ts PORT SECONDS [OUT.cpuprofile]");
  Deno.exit(2);
}
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = () => reject(new Error(`cannot connect to the inspector on port ${port}`));
});
let nextId = 0;
const pending = new Map<number, (result: unknown) => void>();
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  pending.get(m.id)?.(m.result);
  pending.delete(m.id);
};
const send = <T>(method: string, params: Record<string, unknown> = {}) =>
  new Promise<T>((resolve) => {
    const id = ++nextId;
    pending.set(id, resolve as (r: unknown) => void);
    ws.send(JSON.stringify({ id, method, params }));
  });

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 }); // µs
await send("Profiler.start");
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const { profile } = await send<{ profile: Profile }>("Profiler.stop");
ws.close();
if (out) Deno.writeTextFileSync(out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (f: CallFrame) =>
  `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
const self = new Map<string, number>(), total = new Map<string, number>();
for (const s of profile.samples) {
  const key = name(byId.get(s)!.callFrame);
  self.set(key, (self.get(key) ?? 0) + 1);
  const seen = new Set<string>(); // a recursive function counts once per sample
  for (let n: number | undefined = s; n !== undefined; n = parent.get(n)) {
    const k = name(byId.get(n)!.callFrame);
    if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + 1), seen.add(k);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`--- ${title} (% of ${profile.samples.length} samples)`);
  for (const [k, c] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(100 * c / profile.samples.length).toFixed(1).padStart(5)}  ${k}`);
  }
};
show("self", self);
show("inclusive", total);
