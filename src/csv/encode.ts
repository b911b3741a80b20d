/**
 * Writing text back in the encoding a list came in: a spreadsheet that exported windows-1252, or
 * UTF-8 with a byte-order mark (Excel's "CSV UTF-8"), must open its cleaned list the same way, or
 * every accented name turns into mojibake. A character the target encoding cannot hold is never
 * replaced silently: canEncode() lets the writer stop with the row that holds it.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { ListscrubError } from '../errors.js';
import { normalizeEncoding, type CsvEncoding } from './decode.js';

/** Encodings the outputs can be written in (latin1 is written as windows-1252, as it is read). */
export type OutputEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'windows-1252';

const BOMS: Record<OutputEncoding, Buffer> = {
  utf8: Buffer.from([0xef, 0xbb, 0xbf]),
  utf16le: Buffer.from([0xff, 0xfe]),
  utf16be: Buffer.from([0xfe, 0xff]),
  'windows-1252': Buffer.alloc(0),
};

/** An output encoding named by the user (the input names and aliases: utf-8, latin-1, cp1252...). */
export function normalizeOutputEncoding(name: string): OutputEncoding {
  return outputEncodingFor(normalizeEncoding(name));
}

/** The output encoding for what was read: latin1 input was decoded as windows-1252 (WHATWG). */
export function outputEncodingFor(encoding: CsvEncoding): OutputEncoding {
  return encoding === 'latin1' ? 'windows-1252' : encoding;
}

/** windows-1252's bytes 0x80-0x9F; the five it leaves undefined decode to U+0081 etc. and back. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const CP1252_BYTE = new Map<number, number>([...CP1252_HIGH].map((ch, i) => [ch.charCodeAt(0), 0x80 + i]));

function cp1252Byte(code: number): number | undefined {
  if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
  return CP1252_BYTE.get(code);
}

/** The first character of `text` that `encoding` cannot hold, or undefined. */
export function unencodable(text: string, encoding: OutputEncoding): string | undefined {
  if (encoding !== 'windows-1252') return undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 && cp1252Byte(code) === undefined) return String.fromCodePoint(text.codePointAt(i) as number);
  }
  return undefined;
}

/** listscrub's own words (details, suggestions) in an encoding that lacks some of their characters. */
export function fitOwnText(text: string, encoding: OutputEncoding): string {
  if (encoding !== 'windows-1252' || unencodable(text, encoding) === undefined) return text;
  return [...text].map((ch) => (unencodable(ch, encoding) === undefined ? ch : `\\u{${(ch.codePointAt(0) as number).toString(16)}}`)).join('');
}

function encode(text: string, encoding: OutputEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
    case 'utf16be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'windows-1252': {
      const bytes = Buffer.allocUnsafe(text.length);
      for (let i = 0; i < text.length; i++) {
        const byte = cp1252Byte(text.charCodeAt(i));
        // The router checked every cell first (canEncode); this is the last line of defence.
        if (byte === undefined) throw new ListscrubError('E_ENCODING', `a character (U+${text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}) cannot be written in windows-1252`);
        bytes[i] = byte;
      }
      return bytes;
    }
  }
}

/**
 * UTF-8 text in (strings, or the UTF-8 bytes a Transform turns them into), bytes of `encoding` out,
 * with its byte-order mark first when `bom` is set.
 */
export class TextEncodeStream extends Transform {
  #started = false;
  readonly #utf8 = new StringDecoder('utf8');
  readonly #encoding: OutputEncoding;
  readonly #bom: boolean;

  constructor(encoding: OutputEncoding, bom: boolean) {
    super({ decodeStrings: false, readableHighWaterMark: 64 * 1024 });
    this.#encoding = encoding;
    this.#bom = bom;
  }

  override _transform(chunk: string | Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#start();
      if (typeof chunk === 'string') return callback(null, encode(chunk, this.#encoding));
      if (this.#encoding === 'utf8') return callback(null, chunk);
      callback(null, encode(this.#utf8.write(chunk), this.#encoding));
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    this.#start();
    const rest = this.#utf8.end();
    callback(null, rest === '' ? undefined : encode(rest, this.#encoding));
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#bom && BOMS[this.#encoding].length > 0) this.push(BOMS[this.#encoding]);
  }
}
