/** The in-process registry of which attempts have which store objects staged (who to name when one changed). */
import { StagedHolders } from '../../src/task/staged-holders.js';

test('names the other attempts that held an object during this one, not those that left before it or found it intact', () => {
  const r = new StagedHolders();
  const early = r.hold('early/0', ['a']);
  r.release(early, ['a']); // left, having found a changed, before anyone below started
  const mod = r.hold('mod/0', ['a', 'b']);
  const reader = r.hold('reader/0', ['a']);
  const clean = r.hold('clean/0', ['a']);
  expect(r.others(reader, 'a')).toEqual(['clean/0', 'mod/0']);
  expect(r.others(mod, 'b')).toEqual([]);
  r.release(clean, []); // checked a and found it intact: it did not write to it
  r.release(reader, ['a']); // found a changed
  expect(r.others(mod, 'a')).toEqual(['reader/0']);
  const late = r.hold('late/0', ['a']);
  expect(r.others(late, 'a')).toEqual(['mod/0']); // reader left before late began
  r.release(mod);
  r.release(late);
  expect(r.others(r.hold('next/0', ['a']), 'a')).toEqual([]);
});
