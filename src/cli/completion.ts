/**
 * flowctl's additions to the completion functions @oclif/plugin-autocomplete generates (it
 * completes commands and flags only; with a space as topic separator its bash function even
 * turns off file names). After `flowctl autocomplete` writes them, this adds: flow files for
 * `run`, `validate`, `graph` and `resume`, and run paths (`train/latest/fit/0/…`, from
 * `flowctl complete PREFIX`) for `show`, `logs`, `resume` and `tag`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MARK = '# flowctl: flow files and run paths';

/** Appended to the bash function file: wraps the generated function. */
export function bashAddition(bin: string): string {
  return `
${MARK}
_${bin}_complete() {
  _${bin}_autocomplete 2>/dev/null
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [[ \${#COMPREPLY[@]} -eq 0 && "$cur" == -* && $COMP_CWORD -gt 2 ]]; then
    # The generated function finds flags only right after the command: retry without the arguments.
    local words=("\${COMP_WORDS[@]}") n
    for n in 2 1; do
      COMP_WORDS=("\${words[@]:0:n+1}" "$cur"); COMP_CWORD=$((n + 1))
      _${bin}_autocomplete 2>/dev/null
      [[ \${#COMPREPLY[@]} -gt 0 ]] && break
    done
    COMP_WORDS=("\${words[@]}"); COMP_CWORD=$((\${#words[@]} - 1))
  fi
  if [[ \${#COMPREPLY[@]} -gt 0 || "$cur" == -* || $COMP_CWORD -lt 2 ]]; then return 0; fi
  case "\${COMP_WORDS[1]}" in
    run|validate|graph|resume)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur")) ;;
  esac
  case "\${COMP_WORDS[1]}" in
    show|logs|tag|resume)
      compopt -o nospace 2>/dev/null
      COMPREPLY+=($(${bin} complete "$cur" 2>/dev/null)) ;;
  esac
}
complete -F _${bin}_complete ${bin}
`;
}

/** Defined at the top of the zsh function file; every argument position uses it instead of _files. */
export function zshAddition(bin: string): string {
  return `
${MARK}
_${bin}_values() {
  case \${words[1]} in
    run|validate|graph) _files -g '*.(yaml|yml)' ;;
    show|logs|resume|add|remove|list)
      local -a vals
      vals=(\${(f)"$(${bin} complete "\${words[CURRENT]}" 2>/dev/null)"})
      compadd -S '' -- $vals
      [[ \${words[1]} == resume ]] && _files -g '*.(yaml|yml)'
      ;;
    *) _files ;;
  esac
}
`;
}

/** Adds flowctl's completions to the generated files under `cacheDir` (idempotent; a missing file is left alone). */
export async function extendCompletion(cacheDir: string, bin: string): Promise<void> {
  const dir = path.join(cacheDir, 'autocomplete', 'functions');
  const bash = path.join(dir, 'bash', `${bin}.bash`);
  const zsh = path.join(dir, 'zsh', `_${bin}`);
  const [b, z] = await Promise.all([readFile(bash, 'utf8').catch(() => undefined), readFile(zsh, 'utf8').catch(() => undefined)]);
  await Promise.all([
    b !== undefined && !b.includes(MARK) ? writeFile(bash, b + bashAddition(bin)) : undefined,
    z !== undefined && !z.includes(MARK)
      ? writeFile(zsh, z.replace(/^(#compdef[^\n]*\n)/, `$1${zshAddition(bin)}`).replaceAll('"*: :_files"', `"*: :_${bin}_values"`))
      : undefined,
  ]);
}
