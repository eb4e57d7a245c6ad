import { findCycle, sinks, sources, topoOrder, transitiveNeeds } from '../../src/spec/dag.js';

const s = (name: string, ...needs: string[]) => ({ name, needs });
const names = (xs: Array<{ name: string }>) => xs.map((x) => x.name);

describe('topoOrder', () => {
  it('puts needs first and keeps file order among ready steps', () => {
    expect(names(topoOrder([s('report', 'fit'), s('prepare'), s('fit', 'prepare'), s('docs')]))).toEqual(['prepare', 'fit', 'report', 'docs']);
  });

  it('is stable for independent steps', () => {
    expect(names(topoOrder([s('c'), s('b'), s('a')]))).toEqual(['c', 'b', 'a']);
  });

  it('prefers an earlier step as soon as it becomes ready', () => {
    // b becomes ready after a; it comes before c, which was ready from the start but is later in the file.
    expect(names(topoOrder([s('a'), s('b', 'a'), s('c')]))).toEqual(['a', 'b', 'c']);
    expect(names(topoOrder([s('b', 'a'), s('c'), s('a')]))).toEqual(['c', 'a', 'b']);
  });

  it('ignores unknown needs and puts steps in a cycle last', () => {
    expect(names(topoOrder([s('x', 'y'), s('y', 'x'), s('z', 'nope')]))).toEqual(['z', 'x', 'y']);
  });
});

describe('findCycle', () => {
  it('is undefined for a DAG', () => {
    expect(findCycle([s('a'), s('b', 'a'), s('c', 'a', 'b')])).toBeUndefined();
    expect(findCycle([])).toBeUndefined();
  });

  it('names the cycle from its first step in the file, following needs', () => {
    expect(findCycle([s('start'), s('a', 'start', 'c'), s('b', 'a'), s('c', 'b')])).toEqual(['a', 'c', 'b']);
    expect(findCycle([s('c', 'b'), s('b', 'a'), s('a', 'c')])).toEqual(['c', 'b', 'a']);
  });

  it('finds a self-need', () => {
    expect(findCycle([s('a', 'a')])).toEqual(['a']);
  });
});

describe('sinks, sources, transitiveNeeds', () => {
  const dag = [s('prepare'), s('split', 'prepare'), s('fit', 'split'), s('lint'), s('report', 'fit', 'lint')];

  it('sinks are the steps no sibling needs', () => {
    expect(names(sinks(dag))).toEqual(['report']);
    expect(names(sinks([s('a'), s('b')]))).toEqual(['a', 'b']);
  });

  it('sources need no sibling', () => {
    expect(names(sources(dag))).toEqual(['prepare', 'lint']);
    expect(names(sources([s('a', 'outside'), s('b', 'a')]))).toEqual(['a']);
  });

  it('transitiveNeeds follows needs through siblings', () => {
    expect([...transitiveNeeds(dag, 'report')].sort()).toEqual(['fit', 'lint', 'prepare', 'split']);
    expect([...transitiveNeeds(dag, 'prepare')]).toEqual([]);
    expect([...transitiveNeeds([s('a', 'b'), s('b', 'a')], 'a')]).toEqual(['b']);
  });
});
