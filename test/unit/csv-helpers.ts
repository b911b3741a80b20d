import { join } from 'node:path';
import { openCsvInput, type CsvInput, type CsvInputItem, type CsvInputOptions } from '../../src/csv/read.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
export const fixture = (name: string) => join(FIXTURES, name);

export async function readAll(
  options: CsvInputOptions,
): Promise<{ input: CsvInput; items: CsvInputItem[]; good: string[][]; malformed: number }> {
  const input = await openCsvInput(options);
  const items = (await input.records.toArray()) as CsvInputItem[];
  const good = items.flatMap((item) => ('record' in item ? [item.record] : []));
  return { input, items, good, malformed: items.length - good.length };
}

export async function readText(text: string | Buffer, options: Omit<CsvInputOptions, 'input' | 'stdin'> = {}) {
  const { Readable } = await import('node:stream');
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  return readAll({ ...options, input: '-', stdin: Readable.from([data]) });
}

/** Readable in small chunks, to cross chunk boundaries everywhere. */
export async function readChunked(text: string | Buffer, size: number, options: Omit<CsvInputOptions, 'input' | 'stdin'> = {}) {
  const { Readable } = await import('node:stream');
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return readAll({ ...options, input: '-', stdin: Readable.from(chunks) });
}
