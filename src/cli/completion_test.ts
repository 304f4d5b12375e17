import { bashCompletion } from "./commands/completion.ts";
import { COMMANDS } from "./table.ts";

/** What real bash offers for the words typed so far (the last one being completed). */
async function complete(typed: string[]): Promise<string[]> {
  const script = bashCompletion([...COMMANDS.values()]);
  const words = typed.map((w) => `'${w}'`).join(" ");
  const probe = `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${
    typed.length - 1
  }; _t4dm; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = await new Deno.Command("bash", { args: ["-c", probe], stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`bash failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

Deno.test("bash completion offers the table's commands, each command's own flags and the global ones", async () => {
  const eq = (got: string[], want: string[], what: string) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: got ${JSON.stringify(got)}`);
  };
  eq(await complete(["t4dm", "re"]), ["recall"], "command prefix");
  eq(await complete(["t4dm", "store", "--ac"]), ["--actor"], "a command's flag");
  eq(await complete(["t4dm", "recall", "--ac"]), [], "a flag of another command");
  eq(await complete(["t4dm", "serve", "--embed"]), ["--embed-workers"], "serve's flag");
  eq(await complete(["t4dm", "get", "--na"]), ["--namespace"], "a global flag");
  eq(await complete(["t4dm", "feedback", "--use"]), ["--useful"], "feedback's flag");
  eq(await complete(["t4dm", "feedback", "--not"]), ["--not-useful"], "feedback's other flag");
  const all = await complete(["t4dm", ""]);
  for (const c of COMMANDS.keys()) if (!all.includes(c)) throw new Error(`command ${c} not offered`);
});
