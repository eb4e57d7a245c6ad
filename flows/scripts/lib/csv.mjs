// Minimal CSV reading/writing (RFC 4180 quoting, header row, "\n" or "\r\n" line ends).
import { readFileSync, writeFileSync } from 'node:fs';

/** Parse CSV text into { header: string[], rows: string[][] }. Blank lines are skipped. */
export function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field); field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += c;
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record); }
  if (records.length === 0) throw new Error('CSV is empty (no header row)');
  const [header, ...rows] = records;
  return { header: header.map((h) => h.trim()), rows };
}

export function readCsv(path) {
  return parseCsv(readFileSync(path, 'utf8'));
}

function quote(value) {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatCsv(header, rows) {
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

export function writeCsv(path, header, rows) {
  writeFileSync(path, formatCsv(header, rows));
}
