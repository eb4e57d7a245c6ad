/** The text CI systems parse: JUnit XML escaping and GitHub workflow-command escaping. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { annotationPath, escapeData, escapeProperty, workflowCommand } from '../../src/ui/github-actions.js';
import { renderJUnit } from '../../src/ui/junit-xml.js';

describe('JUnit XML', () => {
  const nasty = 'a & b < c > d "q" \'s\' \u001b[31mred\u001b[0m nul\u0000 bell\u0007 lone\ud800 ok\u{1F600} tab\tcr\rlf\nend';
  const doc = renderJUnit({
    name: nasty, timeMs: 1234.6,
    suites: [{
      name: 'f.s', timeMs: 2000, timestamp: '2026-11-30T09:05:52.123Z', properties: { run: nasty },
      cases: [
        { classname: 'f.s', name: 's/0', timeMs: 12 },
        { classname: 'f.s', name: 's/1', timeMs: 999.9, outcome: { kind: 'failure', message: nasty, type: 'failed', text: nasty } },
        { classname: 'f.s', name: 's/2', timeMs: 0, outcome: { kind: 'skipped', message: 'cached' } },
      ],
    }],
  });

  test('any text stays well-formed XML and reads back without what XML cannot hold', () => {
    expect(XMLValidator.validate(doc)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', parseAttributeValue: false, parseTagValue: false, trimValues: false, htmlEntities: true })
      .parse(doc).testsuites;
    const expected = 'a & b < c > d "q" \'s\' red nul bell lone ok\u{1F600} tab\tcr\rlf\nend';
    expect(parsed.testsuite.testcase[1].failure.text).toBe(expected);
    expect(parsed.testsuite.testcase[1].failure.message).toBe(expected);
    expect(parsed.testsuite.properties.property.value).toBe(expected);
  });

  test('counts, seconds with three decimals, timestamps without zone', () => {
    expect(doc).toMatch(/<testsuites name="[^"]*" tests="3" failures="1" errors="0" skipped="1" time="1\.235">/);
    expect(doc).toContain('<testsuite name="f.s" tests="3" failures="1" errors="0" skipped="1" time="2.000" timestamp="2026-11-30T09:05:52">');
    expect(doc).toContain('<testcase classname="f.s" name="s/0" time="0.012"/>');
    expect(doc).toContain('<skipped message="cached"/>');
  });
});

describe('GitHub workflow commands', () => {
  test('messages escape %, CR and LF; properties also : and ,', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('a: b, c%')).toBe('a%3A b%2C c%25');
    expect(workflowCommand('error', { file: 'x,y.yaml', line: 3, col: 5, title: undefined }, 'm\nn')).toBe('::error file=x%2Cy.yaml,line=3,col=5::m%0An');
    expect(workflowCommand('endgroup')).toBe('::endgroup::');
  });

  test('annotation paths are relative to the workspace when inside it', () => {
    expect(annotationPath('flow.yaml', { GITHUB_WORKSPACE: '/repo' }, '/repo/flows')).toBe('flows/flow.yaml');
    expect(annotationPath('/elsewhere/flow.yaml', { GITHUB_WORKSPACE: '/repo' }, '/repo')).toBe('/elsewhere/flow.yaml');
    expect(annotationPath('flow.yaml', {}, '/repo/flows')).toBe('flow.yaml');
  });
});
