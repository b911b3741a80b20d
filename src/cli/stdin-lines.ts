/**
 * Lines of standard input for `check -`, in constant memory. readline keeps a whole line in memory
 * however long it is: a 300 MB line took 714 MB and a larger one crashed the process. Here a line
 * keeps at most `maxChars` + 1 characters (enough to show what it was and to tell that it is too
 * long) while the rest is only counted.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface InputLine {
  /** The line without its line break, cut to maxChars + 1 characters when longer. */
  text: string;
  /** The full line's length in characters (UTF-16 code units), line break excluded. */
  length: number;
}

export async function* boundedLines(input: Readable, maxChars: number): AsyncGenerator<InputLine> {
  const decoder = new StringDecoder('utf8');
  let kept = '';
  let length = 0;
  const take = (piece: string): void => {
    length += piece.length;
    if (kept.length <= maxChars) kept += piece.slice(0, maxChars + 1 - kept.length);
  };
  const finish = (): InputLine => {
    // CRLF input: the CR belongs to the line break (it is the last character kept only when the line fits).
    const crlf = kept.endsWith('\r') && kept.length === length;
    const line = { text: crlf ? kept.slice(0, -1) : kept, length: crlf ? length - 1 : length };
    kept = '';
    length = 0;
    return line;
  };
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end));
      yield finish();
      start = end + 1;
    }
    take(text.slice(start));
  }
  take(decoder.end());
  if (length > 0) yield finish();
}
