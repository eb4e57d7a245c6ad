/**
 * The code blocks of a Markdown file that show commands or API calls (```sh, ```ts …), with
 * the `<!-- readme-test: skip (why) -->` comment that may stand just before one, and the
 * rewriting that turns a block into something runnable in a test project.
 */

export interface Block {
  lang: 'sh' | 'ts';
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The reason given in a skip comment. */
  skip?: string;
}

const LANGS: Record<string, Block['lang']> = { sh: 'sh', bash: 'sh', shell: 'sh', console: 'sh', ts: 'ts', typescript: 'ts', js: 'ts', javascript: 'ts' };
const SKIP = /^<!--\s*readme-test:\s*skip\s*\((.+)\)\s*-->$/;

export function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence); i++) body.push(lines[i]!);
    const lang = LANGS[open[3]!.toLowerCase()];
    if (!lang) continue;
    let j = start - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const skip = j >= 0 ? SKIP.exec(lines[j]!.trim())?.[1] : undefined;
    out.push({ lang, code: body.join('\n'), line: start + 1, skip });
  }
  return out;
}

/** Run ids as the README shows them (`20261126T131500.123Z-ab12cd`). */
export const RUN_ID = /\b\d{8}T\d{6}\.\d{3}Z-[0-9a-z]{6}\b/g;

export interface ShellScript {
  /** bash source: the block's commands, `npm` lines left out, example run ids replaced. */
  script: string;
  /** The `npm …` commands, checked rather than run. */
  npm: string[];
}

/**
 * Example run ids become `$(__readme_run N)`: the N-th most recent run of the flow, looked up when the
 * line runs, in whatever store it uses (an `export FLOWCTL_DATASTORE=…` earlier in the block counts).
 */
export function shellScript(code: string, flow: string): ShellScript {
  const ids = [...new Set(code.match(RUN_ID) ?? [])];
  const npm: string[] = [];
  const logical = code.replace(/\\\n/g, ' ').split('\n');
  const kept = logical.map((l) => {
    if (/^\s*npm\s/.test(l)) {
      npm.push(l.replace(/\s+#.*$/, '').trim());
      return ':';
    }
    return l.replace(RUN_ID, (id) => `$(__readme_run ${ids.indexOf(id)})`);
  });
  const prelude = [
    'set -euo pipefail',
    `__readme_run() { flowctl show ${flow} --json | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).runs[Number(process.argv[1])].runId))' "$1"; }`,
  ];
  return { script: [...prelude, ...kept].join('\n'), npm };
}
