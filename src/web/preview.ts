/** How the UI previews an artifact, and the MIME type its bytes are served with, from its name (or, for unknown names, its first bytes). */
import type { PreviewKind } from './shared/types.js';

const BY_EXT: Record<string, [PreviewKind, string]> = {
  json: ['json', 'application/json'], geojson: ['json', 'application/json'], ipynb: ['json', 'application/json'],
  csv: ['table', 'text/csv'], tsv: ['table', 'text/tab-separated-values'], tab: ['table', 'text/tab-separated-values'],
  png: ['image', 'image/png'], jpg: ['image', 'image/jpeg'], jpeg: ['image', 'image/jpeg'], gif: ['image', 'image/gif'],
  webp: ['image', 'image/webp'], svg: ['image', 'image/svg+xml'], bmp: ['image', 'image/bmp'], ico: ['image', 'image/x-icon'],
  avif: ['image', 'image/avif'],
  html: ['html', 'text/html'], htm: ['html', 'text/html'],
  txt: ['text', 'text/plain'], md: ['text', 'text/markdown'], log: ['text', 'text/plain'], yaml: ['text', 'text/yaml'], yml: ['text', 'text/yaml'],
  toml: ['text', 'text/plain'], ini: ['text', 'text/plain'], cfg: ['text', 'text/plain'], xml: ['text', 'text/xml'], ndjson: ['text', 'application/x-ndjson'],
  jsonl: ['text', 'application/x-ndjson'], py: ['text', 'text/plain'], js: ['text', 'text/plain'], mjs: ['text', 'text/plain'], ts: ['text', 'text/plain'],
  sh: ['text', 'text/plain'], r: ['text', 'text/plain'], sql: ['text', 'text/plain'], tex: ['text', 'text/plain'], rst: ['text', 'text/plain'],
  css: ['text', 'text/plain'],
  gz: ['binary', 'application/gzip'], zip: ['binary', 'application/zip'], tar: ['binary', 'application/x-tar'], pdf: ['binary', 'application/pdf'],
  parquet: ['binary', 'application/octet-stream'], pkl: ['binary', 'application/octet-stream'], npy: ['binary', 'application/octet-stream'],
};

/** The preview kind and MIME type by file extension; undefined for an unknown extension. */
export function previewByName(path: string): { preview: PreviewKind; contentType: string } | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  const hit = ext ? BY_EXT[ext] : undefined;
  return hit && { preview: hit[0], contentType: withCharset(hit[1]) };
}

/** Text when the first bytes are valid UTF-8 without NUL bytes, else binary. */
export function previewBySniff(head: Buffer): { preview: PreviewKind; contentType: string } {
  const text = !head.includes(0) && isUtf8Prefix(head);
  return text ? { preview: 'text', contentType: 'text/plain; charset=utf-8' } : { preview: 'binary', contentType: 'application/octet-stream' };
}

function withCharset(type: string): string {
  return type.startsWith('text/') || type === 'application/json' || type === 'application/x-ndjson' ? `${type}; charset=utf-8` : type;
}

/** Valid UTF-8, allowing a sequence cut at the end of the sample. */
function isUtf8Prefix(b: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut <= b.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, b.length - cut));
      return true;
    } catch {
      // try without a possibly cut last character
    }
  }
  return false;
}
