/**
 * Waiting assertions on playwright-core locators for jest (playwright's own `expect` lives in
 * @playwright/test, which would bring its own runner): each polls until it holds or times out.
 */
import type { Locator } from 'playwright-core';

const TIMEOUT = 10_000;
const EVERY = 100;

/** Calls fn until ok(value) or the timeout; returns the last value. */
export async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeout = TIMEOUT): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    let v: T | undefined;
    let failed = false;
    try {
      v = await fn();
    } catch {
      failed = true;
    }
    if (!failed && ok(v as T)) return v as T;
    if (Date.now() > end) {
      if (failed) return fn();
      return v as T;
    }
    await new Promise((r) => setTimeout(r, EVERY));
  }
}

type Opts = { timeout?: number };

async function check<T>(ctx: jest.MatcherContext, what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeout?: number): Promise<jest.CustomMatcherResult> {
  const want = !ctx.isNot;
  const got = await poll(fn, (v) => ok(v) === want, timeout).catch((e: Error) => e);
  const pass = got instanceof Error ? false : ok(got);
  return { pass, message: () => `expected the locator ${ctx.isNot ? 'not ' : ''}to ${what}; got ${got instanceof Error ? got.message : JSON.stringify(got)}` };
}

expect.extend({
  toHaveCount(this: jest.MatcherContext, l: Locator, n: number, o: Opts = {}) {
    return check(this, `have ${n} elements`, () => l.count(), (c) => c === n, o.timeout);
  },
  toHaveText(this: jest.MatcherContext, l: Locator, t: string | string[], o: Opts = {}) {
    return Array.isArray(t)
      ? check(this, `have texts ${JSON.stringify(t)}`, () => l.allTextContents(), (v) => JSON.stringify(v.map((x) => x.trim())) === JSON.stringify(t), o.timeout)
      : check(this, `have text ${JSON.stringify(t)}`, () => l.first().textContent({ timeout: 1000 }), (v) => v === t, o.timeout);
  },
  toContainText(this: jest.MatcherContext, l: Locator, t: string, o: Opts = {}) {
    return check(this, `contain ${JSON.stringify(t)}`, async () => (await l.allTextContents()).join('\n'), (v) => v.includes(t), o.timeout);
  },
  toHaveAttribute(this: jest.MatcherContext, l: Locator, name: string, value: string, o: Opts = {}) {
    return check(this, `have ${name}=${JSON.stringify(value)}`, () => l.first().getAttribute(name, { timeout: 1000 }), (v) => v === value, o.timeout);
  },
  toHaveClass(this: jest.MatcherContext, l: Locator, re: RegExp, o: Opts = {}) {
    return check(this, `have a class matching ${re}`, async () => (await l.first().getAttribute('class', { timeout: 1000 })) ?? '', (v) => re.test(v), o.timeout);
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toHaveCount(n: number, opts?: Opts): Promise<R>;
      toHaveText(t: string | string[], opts?: Opts): Promise<R>;
      toContainText(t: string, opts?: Opts): Promise<R>;
      toHaveAttribute(name: string, value: string, opts?: Opts): Promise<R>;
      toHaveClass(re: RegExp, opts?: Opts): Promise<R>;
    }
  }
}
