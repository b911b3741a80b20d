/**
 * Pure units behind issue 18: the line reader of `check -` and the terminal sanitizer.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedLines, type InputLine } from '../../src/cli/stdin-lines.js';
import { printable, terminalSafe, terminalSafeJson, terminalSafeLines } from '../../src/cli/output.js';

async function lines(chunks: Array<string | Buffer>, max = 8): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const line of boundedLines(Readable.from(chunks), max)) out.push(line);
  return out;
}

describe('boundedLines', () => {
  it('splits on LF and CRLF, across chunks, with or without a final line break', async () => {
    expect(await lines(['a@b.c\r\nd@e', '.f\ng@h.i'])).toEqual([
      { text: 'a@b.c', length: 5 },
      { text: 'd@e.f', length: 5 },
      { text: 'g@h.i', length: 5 },
    ]);
  });

  it('keeps a multi-byte character split between two chunks whole', async () => {
    const bytes = Buffer.from('é@x.fr\n');
    expect(await lines([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual([{ text: 'é@x.fr', length: 6 }]);
  });

  it('keeps max + 1 characters of a long line and counts all of it', async () => {
    expect(await lines(['0123456789', 'abcdef\r\nok\n'])).toEqual([
      { text: '012345678', length: 17 },
      { text: 'ok', length: 2 },
    ]);
  });

  it('yields empty lines as such (the caller skips them) and nothing for an empty input', async () => {
    expect(await lines(['\n\n'])).toEqual([{ text: '', length: 0 }, { text: '', length: 0 }]);
    expect(await lines([])).toEqual([]);
  });
});

describe('terminalSafe', () => {
  it('shows C0, DEL, C1, line separators and bidi controls as \\uXXXX and leaves other text alone', () => {
    expect(terminalSafe('a\u001b]52;c;x\u0007b\u007f\u009b\u009d\u2028\u202e ü ✓')).toBe(
      'a\\u001b]52;c;x\\u0007b\\u007f\\u009b\\u009d\\u2028\\u202e ü ✓',
    );
  });

  it('keeps line breaks between lines, and JSON parses back to the same value', () => {
    expect(terminalSafeLines('one\u001b\ntwo')).toBe('one\\u001b\ntwo');
    const value = { input: 'x\u009b\u202ey', n: 1 };
    const json = terminalSafeJson(JSON.stringify(value, null, 2));
    expect(json).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('printable cuts after sanitizing', () => {
    expect(printable('\u001b'.repeat(10), 12)).toBe('\\u001b\\u001…');
  });
});
