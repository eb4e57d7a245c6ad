/**
 * `Content-Disposition` for a file name from user data (RFC 6266, RFC 5987): an ASCII
 * `filename="…"` fallback, and for any other name also `filename*=UTF-8''…` (percent-encoded
 * UTF-8), which browsers prefer. A header value must be Latin-1 (fetch's Headers throws
 * otherwise) and must not break out of its quotes or line.
 */

/** @example contentDisposition('attachment', '数据-✓.csv') → `attachment; filename="__-_.csv"; filename*=UTF-8''%E6%95%B0%E6%8D%AE-%E2%9C%93.csv` */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  if (fallback === name) return `${type}; filename="${name}"`;
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

function encodeRfc5987(name: string): string {
  // Lone surrogates cannot be encoded as UTF-8: they become U+FFFD, as the bytes would anyway.
  const wellFormed = name.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  // encodeURIComponent leaves ' ( ) * unescaped, which RFC 5987's attr-char does not allow.
  return encodeURIComponent(wellFormed).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
