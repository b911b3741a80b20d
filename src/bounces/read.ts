/**
 * Reading bounce files: the format is detected from the first bytes (or given), then the matching
 * reader yields events one at a time. Postfix logs, delivery reports and JSON are read as lines or
 * chunks of text (gzip-compressed files too, as logrotate leaves them); CSV goes through clean's
 * CSV reader.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeFsError } from '../csv/fs-error.js';
import { ListscrubError } from '../errors.js';
import { openRegularFile } from '../files/open-regular.js';
import { fromProviderDocument } from './providers.js';
import { readBounceCsv } from './read-csv.js';
import { DsnReader } from './read-dsn.js';
import { parsePostfixLine } from './read-postfix.js';
import { JsonSplitter } from './json-scan.js';
import { BOUNCE_FORMATS, type BounceFormat, type ReadItem } from './types.js';

const SNIFF_BYTES = 8192;

async function head(file: string): Promise<Buffer> {
  let handle;
  try {
    // A regular file only: a named pipe would block the open for ever; a directory is EISDIR.
    handle = (await openRegularFile(file)).handle;
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw new ListscrubError('E_INPUT', `cannot read the bounce file ${file}: ${describeFsError(error, 'no such file')}.`, { cause: error });
  } finally {
    await handle?.close();
  }
}

function isGzip(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const SYSLOG_LINE = /^(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) \S+ \S+?(?:\[\d+\])?: /m;
const HEADER_LINE = /^(?:From |Return-Path:|Received:|From:|Date:|Subject:|To:|Message-ID:|MIME-Version:|Content-Type:|Delivered-To:|X-[\w-]+:|Reporting-MTA:|Final-Recipient:)/i;

/** The format of a file from its first bytes (decompressed). */
export function sniffFormat(text: string): BounceFormat {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('{') || body.startsWith('[')) return 'json';
  if (HEADER_LINE.test(body)) return 'dsn';
  if (SYSLOG_LINE.test(body) && /postfix|status=/.test(body)) return 'postfix';
  return 'csv';
}

export function checkFormat(value: unknown): BounceFormat | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (BOUNCE_FORMATS as readonly string[]).includes(value)) return value as BounceFormat;
  throw new ListscrubError('E_OPTION', `The bounce format must be one of ${BOUNCE_FORMATS.join(', ')}; got ${JSON.stringify(value)}.`);
}

function textStream(file: string, gzip: boolean): Readable {
  const raw = createReadStream(file);
  if (!gzip) return raw.setEncoding('utf8');
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip).setEncoding('utf8');
}

/**
 * The lines of a text stream (LF or CRLF). Not readline's async iterator: it queues every line it
 * reads ahead of the consumer (a 100 MB log peaked at 325 MB RSS); iterating the stream itself
 * reads a chunk only when the previous one is used up.
 */
async function* lines(stream: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

async function* readPostfix(file: string, stream: Readable, now: number): AsyncGenerator<ReadItem> {
  let number = 0;
  let skipped = 0;
  for await (const line of lines(stream)) {
    number += 1;
    const item = parsePostfixLine(line, file, number, now);
    if (item === null) skipped += 1;
    else yield item;
  }
  if (skipped > 0) yield { skipped };
}

async function* readDsn(file: string, stream: Readable): AsyncGenerator<ReadItem> {
  const reader = new DsnReader(file);
  let number = 0;
  for await (const line of lines(stream)) {
    number += 1;
    yield* reader.push(line, number);
  }
  yield* reader.end();
}

async function* readJson(file: string, stream: Readable): AsyncGenerator<ReadItem> {
  const splitter = new JsonSplitter();
  const handle = function* (pieces: ReturnType<JsonSplitter['push']>): Generator<ReadItem> {
    for (const piece of pieces) {
      if ('error' in piece) {
        yield { problem: { file, line: piece.line, message: `${file}:${piece.line}: ${piece.error}` } };
        continue;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(piece.text);
      } catch (error) {
        yield { problem: { file, line: piece.line, message: `${file}:${piece.line}: invalid JSON (${(error as Error).message})` } };
        continue;
      }
      const events = fromProviderDocument(doc, { file, line: piece.line });
      if (events === null || events.length === 0) yield { skipped: 1 };
      else for (const event of events) yield { event };
    }
  };
  for await (const chunk of stream) yield* handle(splitter.push((chunk as string).replace(/^\uFEFF/, '')));
  yield* handle(splitter.end());
}

export interface ReadBounceOptions {
  format?: BounceFormat;
  /** The clock, for syslog lines without a year. */
  now?: number;
}

/** Every item of one bounce file, in file order. */
export async function* readBounceFile(file: string, options: ReadBounceOptions = {}): AsyncGenerator<ReadItem> {
  const first = await head(file);
  const gzip = isGzip(first);
  let format = options.format;
  if (format === undefined) {
    const sample = gzip ? await sniffGzip(file) : first.toString('utf8');
    format = sniffFormat(sample);
  }
  if (format === 'csv') {
    if (gzip) throw new ListscrubError('E_INPUT', `${file} is gzip-compressed CSV; decompress it first (gunzip).`);
    yield* readBounceCsv(file);
    return;
  }
  const stream = textStream(file, gzip);
  try {
    if (format === 'postfix') yield* readPostfix(file, stream, options.now ?? Date.now());
    else if (format === 'dsn') yield* readDsn(file, stream);
    else yield* readJson(file, stream);
  } catch (error) {
    if (error instanceof ListscrubError) throw error;
    throw new ListscrubError('E_INPUT', `cannot read the bounce file ${file}: ${describeFsError(error, 'no such file')}.`, { cause: error });
  } finally {
    stream.destroy();
  }
}

/** The first few KB of a gzip file, decompressed. */
async function sniffGzip(file: string): Promise<string> {
  const stream = textStream(file, true);
  let text = '';
  try {
    for await (const chunk of stream) {
      text += chunk as string;
      if (text.length >= SNIFF_BYTES) break;
    }
  } catch (error) {
    throw new ListscrubError('E_INPUT', `cannot read the bounce file ${file}: ${describeFsError(error, 'no such file')}.`, { cause: error });
  } finally {
    stream.destroy();
  }
  return text;
}
