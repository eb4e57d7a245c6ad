/** Which output a command gets, from its flags and its terminal. */
import { choiceFromFlags } from '../../src/cli/output-flags.js';
import { JsonReporter } from '../../src/ui/json-reporter.js';
import { PlainReporter } from '../../src/ui/plain-reporter.js';
import { createReporters, isCI, resolveOutput, type ReporterChoice } from '../../src/ui/select-reporter.js';

const base: ReporterChoice = { output: 'auto', quiet: false, timestamps: false, isTTY: true, ci: false };

describe('output selection', () => {
  test.each<[Partial<ReporterChoice>, string]>([
    [{}, 'live'],
    [{ isTTY: false }, 'plain'],
    [{ ci: true }, 'plain'],
    [{ quiet: true }, 'plain'],
    [{ streamLogs: true }, 'plain'],
    [{ streamLogs: false }, 'live'],
    [{ output: 'live', isTTY: false }, 'live'],
    [{ output: 'live', ci: true }, 'live'],
    [{ output: 'live', quiet: true }, 'plain'],
    [{ output: 'plain' }, 'plain'],
    [{ output: 'json' }, 'json'],
    [{ output: 'json', quiet: true }, 'json'],
  ])('%j → %s', (o, mode) => {
    expect(resolveOutput({ ...base, ...o })).toBe(mode);
  });

  test('CI follows the usual convention', () => {
    expect(isCI({ CI: 'true' })).toBe(true);
    expect(isCI({ CI: '1' })).toBe(true);
    expect(isCI({ CONTINUOUS_INTEGRATION: 'yes' })).toBe(true);
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(isCI({})).toBe(false);
  });

  test('a terminal is stderr being a TTY, unless TERM=dumb', () => {
    const flags = { output: 'auto' as const, quiet: false, timestamps: false };
    expect(choiceFromFlags(flags, {}, { isTTY: true }).isTTY).toBe(true);
    expect(choiceFromFlags(flags, { TERM: 'dumb' }, { isTTY: true }).isTTY).toBe(false);
    expect(choiceFromFlags(flags, {}, { isTTY: undefined }).isTTY).toBe(false);
    expect(choiceFromFlags({ ...flags, 'stream-logs': false }, { CI: 'true' }, {})).toMatchObject({ ci: true, streamLogs: false });
  });

  test('createReporters builds the chosen reporter', async () => {
    expect((await createReporters({ ...base, output: 'plain' }))[0]).toBeInstanceOf(PlainReporter);
    expect((await createReporters({ ...base, output: 'json' }))[0]).toBeInstanceOf(JsonReporter);
    const [live] = await createReporters(base);
    expect(live!.constructor.name).toBe('LiveReporter');
    await live!.close?.();
  });
});
