/**
 * Which values of a task's `run:` hold a secret, and the environment variables that carry
 * them instead of the command line (`FLOW_SECRET_1`, …). A substitution holds a secret when
 * its expression reads a secret param (whatever it computes from it: `params.token + 'x'`,
 * `toJSON(params)`), or when its value contains a secret or a line or element of one (an
 * item or an upstream value that carries it).
 */
import { collectRefs } from '../spec/expr/index.js';
import type { Expr } from '../spec/expr/ast.js';
import type { SecretSink } from './render-command.js';

/** What a run knows about its secrets, for planning tasks. */
export interface SecretPolicy {
  /** Names of the flow's secret params. */
  params: ReadonlySet<string>;
  /** True when a text holds a secret value (see Masker.contains). */
  contains(text: string): boolean;
}

const PREFIX = 'FLOW_SECRET_';
/** Per secret-name set, whether an expression reads a secret param (planning asks once per task). */
const readsCache = new WeakMap<ReadonlySet<string>, WeakMap<Expr, boolean>>();

/** One task's secret variables; `vars` joins the task's env. */
export class SecretEnv implements SecretSink {
  /** Variable name → value. */
  readonly vars: Record<string, string> = {};
  private readonly byValue = new Map<string, string>();
  private next = 1;

  /** `taken`: names the step's own `env:` uses, which a secret variable must not replace. */
  constructor(private readonly policy: SecretPolicy, private readonly taken: ReadonlySet<string>) {}

  isSecret(expr: Expr, value: string): boolean {
    return readsSecretParam(expr, this.policy.params) || this.policy.contains(value);
  }

  envName(value: string): string {
    // The same value twice is one variable: the command (and its cache key) stays the same
    // however often a flow author repeats a substitution.
    let name = this.byValue.get(value);
    if (name !== undefined) return name;
    do name = `${PREFIX}${this.next++}`;
    while (this.taken.has(name));
    this.byValue.set(value, name);
    this.vars[name] = value;
    return name;
  }
}

/** `params.<secret>`, or `params` whole or indexed by a computed key (it may reach a secret). */
function readsSecretParam(expr: Expr, secret: ReadonlySet<string>): boolean {
  let memo = readsCache.get(secret);
  if (!memo) readsCache.set(secret, (memo = new WeakMap()));
  let hit = memo.get(expr);
  if (hit === undefined) {
    hit = secret.size > 0 && collectRefs(expr).some((r) => {
      if (r.root !== 'params') return false;
      const first = r.segments[0];
      return typeof first !== 'string' || secret.has(first);
    });
    memo.set(expr, hit);
  }
  return hit;
}
