/** The masker: whole values, every line and element of one, JSON escapes, error-message fragments, safe cuts. */
import { makeMasker, shortSecretWarnings } from '../../src/task/mask.js';

const PEM = '-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n  hkiG9w0BAQEFAASC\n-----END KEY-----';

describe('makeMasker', () => {
  test('every line of a multi-line secret is masked on its own, whatever the line ending or indentation', () => {
    const m = makeMasker([PEM]);
    expect(m.text('MIIEvQIBADANBgkq')).toBe('***');
    expect(m.text('key: hkiG9w0BAQEFAASC\r')).toBe('key: ***\r');
    expect(m.text('    MIIEvQIBADANBgkq    ')).toBe('    ***    ');
    // CRLF copies of the value, and the value whole
    expect(m.text(PEM.replace(/\n/g, '\r\n'))).toBe('***\r\n***\r\n  ***\r\n***');
    expect(m.text(`<${PEM}>`)).toBe('<***>');
  });

  test('a multi-line secret inside a JSON string (\\n escapes) is masked, whole and by line', () => {
    const m = makeMasker([PEM]);
    expect(m.text(JSON.stringify({ k: PEM }))).toBe('{"k":"***"}');
    expect(m.text(JSON.stringify({ k: 'x MIIEvQIBADANBgkq\n-- y' }))).toBe('{"k":"x ***\\n-- y"}');
    const quoted = makeMasker(['say "hi"\nand \\bye']);
    expect(quoted.text(JSON.stringify(['say "hi"\nand \\bye']))).toBe('["***"]');
    expect(quoted.text(JSON.stringify('and \\bye'))).toBe('"***"');
  });

  test('lines and elements shorter than 4 characters are not masked alone; whole values at any length', () => {
    const m = makeMasker(['{\n  "key": "abcdef"\n}', 'xy']);
    expect(m.text('{ } ok')).toBe('{ } ok');
    expect(m.text('"key": "abcdef",')).toBe('***,');
    expect(m.text('a xy b')).toBe('a *** b');
  });

  test('elements of a list or object secret are secrets (foreach items)', () => {
    const m = makeMasker([['tok-aaaa', 'tok-bbbb', 12345], { user: 'bob', password: 'pw-cccc' }]);
    expect(m.text('item tok-bbbb and 12345 and pw-cccc, bob')).toBe('item *** and *** and ***, bob');
    expect(m.contains('"tok-aaaa"')).toBe(true);
    expect(m.contains('nothing here')).toBe(false);
  });

  test('value() masks strings, keys and numbers holding a secret, keeps types and structure otherwise', () => {
    const m = makeMasker(['s3cr3t-value', 987654]);
    const v = m.value({ a: 's3cr3t-value!', n: 987654, k: 42, ok: true, list: [null, 'x s3cr3t-value'], 's3cr3t-value': 1, none: undefined });
    expect(v).toEqual({ a: '***!', n: '***', k: 42, ok: true, list: [null, 'x ***'], '***': 1, none: undefined });
    const proto = m.value(JSON.parse('{"__proto__": "s3cr3t-value"}') as object);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.entries(proto)).toEqual([['__proto__', '***']]);
    // a value whose JSON text a needle could split mid-escape stays valid
    const slash = makeMasker(['abc\\']);
    expect(slash.value({ k: 'abc\\"q' })).toEqual({ k: '***"q' });
  });

  test('message() also hides clipped pieces of a secret quoted by an error', () => {
    const m = makeMasker(['line-one-AAAA\nline-two-BBBB']);
    let err = '';
    try {
      JSON.parse('line-one-AAAA\nline-two-BBBB');
    } catch (e) {
      err = (e as Error).message;
    }
    expect(m.text(err)).toContain('line-one');
    expect(m.message(err)).not.toMatch(/line-o|ne-one|-AAAA/);
    expect(m.message('got "line-two-BB..." at 3: no')).toBe('got "***..." at 3: no');
    expect(m.message('exit code 3')).toBe('exit code 3');
  });

  test('safeCut moves a cut that would split a secret to just before it', () => {
    const m = makeMasker(['hunter2-long-secret']);
    const buf = Buffer.from('aaaaaaaaaahunter2-long-secretbbbb');
    expect(m.safeCut(buf, 15)).toBe(10);
    expect(m.safeCut(buf, 10)).toBe(10);
    expect(m.safeCut(buf, 29)).toBe(29);
    const utf8 = makeMasker(['pässwörd-1']);
    const b2 = Buffer.from('xx pässwörd-1 yy');
    expect(utf8.safeCut(b2, 8)).toBe(3);
  });

  test('no secrets: inactive and free', () => {
    const m = makeMasker([undefined, '', null]);
    expect(m.active).toBe(false);
    const v = { a: 1 };
    expect(m.value(v)).toBe(v);
    expect(m.text('x')).toBe('x');
    expect(m.message('x')).toBe('x');
  });

  test('short secrets are masked but warned about', () => {
    expect(shortSecretWarnings({ a: 'ab', b: 'long-enough', c: '', d: 7 }, ['a', 'b', 'c', 'd'])).toEqual([
      "secret param 'a' is only 2 characters long: it is masked as *** wherever those characters appear in logs, events and records",
      "secret param 'd' is only 1 character long: it is masked as *** wherever those characters appear in logs, events and records",
    ]);
  });
});
