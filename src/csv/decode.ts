/**
 * Byte-level sniffing (byte-order marks, UTF-16 without BOM, binary files, compressed files) and
 * streaming decoding. Invalid input is never turned into U+FFFD silently: it is an E_ENCODING error
 * with the line number.
 */
import { TextDecoder } from 'node:util';
import { ListscrubError } from '../errors.js';

/** Encodings a caller may ask for. `latin1` is decoded as windows-1252, as WHATWG does. */
export type InputEncoding = 'utf8' | 'utf16le' | 'latin1' | 'windows-1252';
/** Encodings we may end up reading (UTF-16BE only through its byte-order mark). */
export type CsvEncoding = InputEncoding | 'utf16be';

/** Bytes looked at before deciding what the input is. */
export const SNIFF_BYTES = 1024;

const ENCODING_ALIASES: Record<string, InputEncoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  utf16le: 'utf16le',
  'utf-16le': 'utf16le',
  'utf-16': 'utf16le',
  utf16: 'utf16le',
  ucs2: 'utf16le',
  'ucs-2': 'utf16le',
  'utf-16-le': 'utf16le',
  latin1: 'latin1',
  'latin-1': 'latin1',
  l1: 'latin1',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
  'iso_8859-1': 'latin1',
  'windows-1252': 'windows-1252',
  windows1252: 'windows-1252',
  cp1252: 'windows-1252',
  'cp-1252': 'windows-1252',
  ansi: 'windows-1252',
};

/** Validate and normalize an encoding name (E_OPTION otherwise). */
export function normalizeEncoding(value: unknown): InputEncoding {
  if (value === undefined) return 'utf8';
  const found = typeof value === 'string' ? ENCODING_ALIASES[value.toLowerCase()] : undefined;
  if (found === undefined) {
    throw new ListscrubError(
      'E_OPTION',
      `unsupported encoding ${JSON.stringify(value)}: use utf8, utf16le, latin1 or windows-1252 (or utf-8, utf-16, iso-8859-1, latin-1, cp1252)`,
    );
  }
  return found;
}

const WHATWG_LABEL: Record<CsvEncoding, string> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  latin1: 'windows-1252',
  'windows-1252': 'windows-1252',
};

const DISPLAY: Record<CsvEncoding, string> = {
  utf8: 'UTF-8',
  utf16le: 'UTF-16LE',
  utf16be: 'UTF-16BE',
  latin1: 'Latin-1',
  'windows-1252': 'windows-1252',
};

interface Sniffed {
  encoding: CsvEncoding;
  bomLength: number;
}

/**
 * Decide what the first bytes are. `complete` is true when `head` is the whole input. Throws
 * E_NOT_CSV for compressed/binary inputs and E_ENCODING for UTF-16 without a byte-order mark when
 * UTF-16 was not asked for.
 */
export function sniffBytes(head: Uint8Array, requested: InputEncoding, label: string): Sniffed {
  const b = head;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf8', bomLength: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf16be', bomLength: 2 };

  const magic = magicName(b);
  if (magic !== null) throw new ListscrubError('E_NOT_CSV', `${label} looks like ${magic}`);

  const n = Math.min(b.length, SNIFF_BYTES);
  let zeroEven = 0;
  let zeroOdd = 0;
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const byte = b[i] as number;
    if (byte === 0) {
      if (i % 2 === 0) zeroEven++;
      else zeroOdd++;
    } else if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1a) {
      controls++;
    }
  }
  const pairs = Math.floor(n / 2);
  if (requested === 'utf16le') {
    if (n >= 16 && zeroOdd === 0 && zeroEven === 0) {
      throw new ListscrubError(
        'E_ENCODING',
        `${label} does not look like UTF-16LE (no zero bytes in the first ${n} bytes); try --encoding utf8 (option encoding: 'utf8')`,
      );
    }
    return { encoding: 'utf16le', bomLength: 0 };
  }
  if (pairs > 0 && zeroOdd >= pairs * 0.3 && zeroEven <= pairs * 0.05) {
    throw new ListscrubError(
      'E_ENCODING',
      `${label} looks like UTF-16LE text without a byte-order mark; try --encoding utf16le (option encoding: 'utf16le')`,
    );
  }
  if (pairs > 0 && zeroEven >= pairs * 0.3 && zeroOdd <= pairs * 0.05) {
    throw new ListscrubError(
      'E_ENCODING',
      `${label} looks like UTF-16BE text without a byte-order mark; convert it to UTF-8 (or UTF-16 with a byte-order mark) first`,
    );
  }
  if (zeroEven + zeroOdd > 0) {
    throw new ListscrubError('E_NOT_CSV', `${label} looks like a binary file (it contains NUL bytes), not a CSV list`);
  }
  if (controls > 8 && controls > n * 0.05) {
    throw new ListscrubError(
      'E_NOT_CSV',
      `${label} looks like a binary file (${controls} control characters in the first ${n} bytes), not a CSV list`,
    );
  }
  return { encoding: requested, bomLength: 0 };
}

function magicName(b: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((v, i) => b[i] === v);
  if (starts(0x1f, 0x8b)) return 'a gzip file; decompress it first (gunzip)';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a ZIP archive (an Excel .xlsx workbook?); export or extract it as CSV first';
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return 'an Excel .xls workbook; export it as CSV first';
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'a PDF document, not a CSV list';
  if (starts(0x42, 0x5a, 0x68)) return 'a bzip2 file; decompress it first';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'an xz file; decompress it first';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'a zstd file; decompress it first';
  return null;
}

/**
 * Streaming decoder: sniffs the first bytes, strips the byte-order mark and decodes with a fatal
 * TextDecoder. Tracks bytes and line breaks so an error names the line.
 */
export class InputDecoder {
  private readonly requested: InputEncoding;
  private readonly label: string;
  private head: Buffer[] = [];
  private headLength = 0;
  private decoder: TextDecoder | null = null;
  /** Line breaks in the text decoded so far. */
  private lineBreaks = 0;
  private lastWasCR = false;
  /** Bytes handed to the decoder so far (after the BOM). */
  private decodedBytes = 0;
  /** Last bytes of the previous chunk: a sequence cut there may be what fails in the next one. */
  private tail: Buffer = Buffer.alloc(0);
  encoding: CsvEncoding | null = null;
  bom = false;

  constructor(requested: InputEncoding, label: string) {
    this.requested = requested;
    this.label = label;
  }

  write(chunk: Buffer): string {
    if (this.decoder === null) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES) return '';
      return this.start(false);
    }
    return this.decode(chunk, false);
  }

  end(): string {
    let text = '';
    if (this.decoder === null) text = this.start(true);
    return text + this.decode(Buffer.alloc(0), true);
  }

  private start(final: boolean): string {
    const head = Buffer.concat(this.head, this.headLength);
    this.head = [];
    const sniffed = sniffBytes(head, this.requested, this.label);
    this.encoding = sniffed.encoding;
    this.bom = sniffed.bomLength > 0;
    this.decoder = new TextDecoder(WHATWG_LABEL[sniffed.encoding], { fatal: true, ignoreBOM: true });
    return final && head.length === sniffed.bomLength
      ? ''
      : this.decode(head.subarray(sniffed.bomLength), false);
  }

  private decode(bytes: Buffer, final: boolean): string {
    const decoder = this.decoder as TextDecoder;
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: !final });
    } catch (cause) {
      throw this.encodingError(bytes, final, cause);
    }
    this.decodedBytes += bytes.length;
    if (bytes.length > 0) this.tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 3)));
    this.countLines(text);
    return text;
  }

  private countLines(text: string): void {
    let count = 0;
    let i = 0;
    if (this.lastWasCR && text.charCodeAt(0) === 10) i = 1;
    if (text.indexOf('\r', i) === -1) {
      // No CR: count LFs with indexOf (vectorized in V8), ~5x faster than the loop below.
      for (let at = text.indexOf('\n', i); at !== -1; at = text.indexOf('\n', at + 1)) count++;
      i = text.length;
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) count++;
      else if (c === 13) {
        count++;
        if (text.charCodeAt(i + 1) === 10) i++;
      }
    }
    if (text.length > 0) this.lastWasCR = text.charCodeAt(text.length - 1) === 13;
    this.lineBreaks += count;
  }

  private encodingError(bytes: Buffer, final: boolean, cause: unknown): ListscrubError {
    const encoding = this.encoding as CsvEncoding;
    let offset = 0; // offset of the bad bytes in `bytes`
    let linesBefore = 0;
    let badByte: number | undefined;
    if (encoding === 'utf8') {
      const bad = invalidUtf8Offset(bytes);
      if (bad === -1) {
        // The sequence begun at the end of the previous chunk (or of the input) is what is wrong.
        let lead = -1;
        for (let i = this.tail.length - 1; i >= 0; i--) if (((this.tail[i] as number) & 0xc0) !== 0x80) ((lead = i), (i = -1));
        offset = lead === -1 ? 0 : lead - this.tail.length;
        badByte = lead === -1 ? undefined : this.tail[lead];
      } else {
        offset = bad;
        badByte = bytes[bad];
        for (let i = 0; i < offset; i++) if (bytes[i] === 10) linesBefore++;
      }
    } else {
      const lossy = new TextDecoder(WHATWG_LABEL[encoding]).decode(bytes);
      const at = lossy.indexOf('\uFFFD');
      const prefix = at === -1 ? lossy : lossy.slice(0, at);
      for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) === 10) linesBefore++;
      offset = prefix.length * 2;
      badByte = bytes[offset];
    }
    const line = this.lineBreaks + linesBefore + 1;
    const byteOffset = this.decodedBytes + offset + (this.bom ? (encoding === 'utf8' ? 3 : 2) : 0);
    const byte = badByte;
    const what =
      byte === undefined
        ? 'the input ends in the middle of a character'
        : `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${byteOffset}`;
    const hint =
      encoding === 'utf8'
        ? 'the file is probably not UTF-8: try --encoding latin1 (option encoding: \'latin1\'), or windows-1252'
        : 'check the encoding (--encoding, option encoding)';
    return new ListscrubError(
      'E_ENCODING',
      `${this.label}: invalid ${DISPLAY[encoding]} at line ${line} (${what}); ${hint}`,
      { line, cause },
    );
  }
}

/**
 * Offset of the first byte that is not part of a valid UTF-8 sequence, or -1. Leading continuation
 * bytes (a sequence begun in an earlier chunk) are skipped; a sequence cut at the end is not an error.
 */
export function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < b.length && ((b[i] as number) & 0xc0) === 0x80) i++;
  const n = b.length;
  while (i < n) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c === 0xe0) ((need = 2), (lo = 0xa0));
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) need = 2;
    else if (c === 0xed) ((need = 2), (hi = 0x9f));
    else if (c === 0xf0) ((need = 3), (lo = 0x90));
    else if (c >= 0xf1 && c <= 0xf3) need = 3;
    else if (c === 0xf4) ((need = 3), (hi = 0x8f));
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1; // cut at the end of the chunk
      const d = b[i + k] as number;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (d < min || d > max) return i;
    }
    i += need + 1;
  }
  return -1;
}
