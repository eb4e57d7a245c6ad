/**
 * What a tag may be, wherever one enters (`run --tag`, `resume --tag`, `tag add`, the client
 * API, the web UI): 1–128 characters, none of them whitespace or control characters. A tag
 * outside the rule could not be typed back to `tag remove` or `show --tag`.
 */
import { ExitCode, FlowctlError } from '../errors.js';

const TAG = /^[^\s\p{C}]{1,128}$/u;
/** Characters of an offending tag quoted in the error (a 10,000-character one is clipped). */
const QUOTED = 60;

/** True when `tag` is 1–128 characters without whitespace or control characters. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/**
 * @throws FlowctlError BAD_TAG (exit 2) naming the first invalid tag (`label` says where it came
 * from, e.g. `--tag`).
 */
export function checkTagList(tags: readonly string[], label?: string): void {
  for (const t of tags) {
    if (isValidTag(t)) continue;
    const chars = [...t];
    const shown = chars.length > QUOTED ? `${JSON.stringify(chars.slice(0, QUOTED).join(''))}… (${chars.length} characters)` : JSON.stringify(t);
    throw new FlowctlError('BAD_TAG', `Invalid tag ${shown}${label ? ` given to ${label}` : ''}: tags are 1–128 characters without spaces or control characters`, { exitCode: ExitCode.Usage });
  }
}
