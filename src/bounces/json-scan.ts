/**
 * A streaming splitter for JSON event files: JSON Lines, one top-level array, or an object wrapping
 * the array under a known key ({"items": [...]} from Mailgun, {"Bounces": [...]} from Postmark).
 * It yields the text of one record at a time with its starting line, so memory holds one record,
 * whatever the file's size. Bad JSON is reported with its line and the reading goes on.
 */

/** Object keys whose array value holds the records. */
const WRAPPER_KEYS = new Set(['items', 'Bounces', 'bounces', 'events', 'Events', 'messages']);

/** A record larger than this is reported instead of buffered. */
const MAX_RECORD = 1 << 20;

export type JsonPiece = { text: string; line: number } | { error: string; line: number };

export class JsonSplitter {
  private line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth at which records start: 0 (top-level values) or the depth of the array holding them. */
  private recordDepth = 0;
  private record: string[] = [];
  private recordSize = 0;
  private recordLine = 0;
  private capturing = false;
  private oversized = false;
  /** The last string at depth 1 of a top-level object, to spot a wrapper key. */
  private key = '';
  private keyBuffer: string | null = null;
  private expectWrapperArray = false;
  private junkLine = 0;

  /** Where the record being captured starts in the current chunk (-1: before it, or none). */
  private start = -1;

  /** Feed a chunk of text; returns the records (and errors) it completed. */
  push(chunk: string): JsonPiece[] {
    const out: JsonPiece[] = [];
    this.start = this.capturing ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (ch === 10) {
        this.line += 1;
        if (this.cutShort(chunk, i, out)) continue;
      }
      if (this.inString) this.stringChar(chunk, i, ch);
      else if (ch === 32 || ch === 9 || ch === 13 || ch === 10) continue;
      else if (this.depth === this.recordDepth && !this.capturing && !this.betweenRecords(ch, i, out)) continue;
      else this.structure(ch, chunk, i, out);
    }
    if (this.capturing && this.start >= 0) this.keep(chunk.slice(this.start));
    return out;
  }

  /**
   * JSON Lines: a line starting with "{" while a record is still open means that record was cut
   * short; report it and start over, rather than swallow the lines after it.
   */
  private cutShort(chunk: string, i: number, out: JsonPiece[]): boolean {
    if (!(this.capturing && this.recordDepth === 0 && this.depth > 0 && chunk.charCodeAt(i + 1) === 123)) return false;
    out.push({ error: 'the JSON value starting here is not complete', line: this.recordLine });
    this.reset();
    this.inString = false;
    this.escaped = false;
    this.keyBuffer = null;
    this.depth = 0;
    this.start = -1;
    return true;
  }

  private stringChar(chunk: string, i: number, ch: number): void {
    if (this.keyBuffer !== null && !this.escaped && ch !== 34) this.keyBuffer += chunk[i];
    if (this.escaped) this.escaped = false;
    else if (ch === 92) this.escaped = true;
    else if (ch === 34) {
      this.inString = false;
      if (this.keyBuffer !== null) {
        this.key = this.keyBuffer;
        this.keyBuffer = null;
      }
    }
  }

  /**
   * A character where a record may start. Returns true when it starts one (the caller then reads
   * it as structure), false when it was handled here (a comma, the array's end, junk).
   */
  private betweenRecords(ch: number, i: number, out: JsonPiece[]): boolean {
    if (ch === 123 || (ch === 91 && this.depth > 0)) {
      this.capturing = true;
      this.recordLine = this.line;
      this.start = i;
      return true;
    }
    if (ch === 91 && this.depth === 0) {
      // A top-level array: its elements are the records.
      this.depth = 1;
      this.recordDepth = 1;
    } else if (ch === 93 && this.depth > 0) {
      // The array of records closed (top-level, or a wrapper's: the rest of the wrapper is skipped).
      this.depth -= 1;
      this.recordDepth = 0;
    } else if (ch !== 44) {
      if (this.junkLine !== this.line) out.push({ error: 'not a JSON object', line: this.line });
      this.junkLine = this.line;
    }
    return false;
  }

  /** Quotes, colons, brackets and commas outside strings: depth, wrapper keys, record ends. */
  private structure(ch: number, chunk: string, i: number, out: JsonPiece[]): void {
    const inTopObject = this.depth === 1 && this.recordDepth === 0;
    if (ch === 34) {
      this.inString = true;
      if (inTopObject) this.keyBuffer = '';
    } else if (ch === 58 && inTopObject) {
      this.expectWrapperArray = WRAPPER_KEYS.has(this.key);
    } else if (ch === 91 && this.expectWrapperArray && inTopObject) {
      // {"items": [ ... ]}: drop the wrapper, its array elements are the records.
      this.depth = 2;
      this.recordDepth = 2;
      this.reset();
      this.expectWrapperArray = false;
      this.start = -1;
    } else if (ch === 123 || ch === 91) {
      this.depth += 1;
    } else if (ch === 125 || ch === 93) {
      this.depth -= 1;
      if (this.depth === this.recordDepth && this.capturing) {
        this.finish(chunk.slice(this.start, i + 1), out);
        this.start = -1;
      }
    } else if (ch === 44) {
      this.expectWrapperArray = false;
    }
  }

  /** The end of the input: an unfinished record is an error. */
  end(): JsonPiece[] {
    if (this.capturing) return [{ error: 'the JSON value starting here is not complete', line: this.recordLine }];
    return [];
  }

  private keep(part: string): void {
    this.recordSize += part.length;
    if (this.recordSize > MAX_RECORD) {
      this.oversized = true;
      this.record = [];
    } else this.record.push(part);
  }

  private finish(tail: string, out: JsonPiece[]): void {
    this.keep(tail);
    if (this.oversized) out.push({ error: `a record over ${MAX_RECORD} characters`, line: this.recordLine });
    else out.push({ text: this.record.join(''), line: this.recordLine });
    this.reset();
  }

  /** Forget the record being captured. */
  private reset(): void {
    this.record = [];
    this.recordSize = 0;
    this.oversized = false;
    this.capturing = false;
  }
}
