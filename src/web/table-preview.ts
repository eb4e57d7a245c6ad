/** The first rows of a CSV/TSV artifact, parsed while streaming: a large file is never read past them. */
import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { TablePreview } from './shared/types.js';

/** Rows a table preview shows at most. */
export const TABLE_ROWS = 1000;

/** Parses `source` (header row first) until `rows` data rows are read, then stops reading it. */
export async function tablePreview(source: Readable, delimiter: string, rows = TABLE_ROWS): Promise<TablePreview> {
  const parser = parse({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, to: rows + 2 });
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  const records: string[][] = [];
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      records.push(rec);
      if (records.length > rows + 1) break;
    }
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
  const [columns = [], ...data] = records;
  return { columns, rows: data.slice(0, rows), truncated: data.length > rows, delimiter };
}
