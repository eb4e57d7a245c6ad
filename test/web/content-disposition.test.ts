/** Content-Disposition for any file name: a Latin-1-safe header a browser decodes back to the name. */
import { contentDisposition } from '../../src/web/content-disposition.js';

test('ASCII names are quoted as they are; others get an ASCII fallback and a UTF-8 filename*', () => {
  expect(contentDisposition('inline', 'report.html')).toBe('inline; filename="report.html"');
  expect(contentDisposition('attachment', 'a\\b"c\r\nd.txt')).toBe(`attachment; filename="a_b_c__d.txt"; filename*=UTF-8''a%5Cb%22c%0D%0Ad.txt`);
  expect(contentDisposition('attachment', 'Ünïcödé 😀.csv')).toBe(`attachment; filename="_n_c_d_ _.csv"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%F0%9F%98%80.csv`);
  // A lone surrogate (not valid UTF-16) becomes U+FFFD instead of throwing.
  expect(contentDisposition('inline', 'x\uD800y')).toBe(`inline; filename="x_y"; filename*=UTF-8''x%EF%BF%BDy`);
  for (const name of ['数据-✓.csv', "it's (1)*.txt\t", 'x\uD800y']) {
    const value = contentDisposition('attachment', name);
    expect(() => new Headers({ 'Content-Disposition': value })).not.toThrow();
    expect(value).toMatch(/^[\x20-\x7e]+$/);
  }
});
