import { describe, expect, test } from 'vitest';
import { ListscrubError } from '../../src/errors.js';
import { detectDelimiter } from '../../src/csv/read.js';
import { fixture, readAll, readText } from './csv-helpers.js';

describe('detectDelimiter', () => {
  test.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1;2;3\n', ';'],
    ['a\tb\tc\n1\t2\t3\n', '\t'],
    ['a|b|c\n1|2|3\n', '|'],
  ])('%j -> %j', (sample, expected) => {
    expect(detectDelimiter(sample)).toBe(expected);
  });

  test('delimiters inside quotes do not count', () => {
    const sample = 'name;email\n"Smith, John";john@example.com\n"Doe, Jane, Dr";jane@example.com\n';
    expect(detectDelimiter(sample)).toBe(';');
  });

  test('commas in unquoted values of a semicolon file: consistency wins over frequency', () => {
    const sample = 'name;email;tags\nAnn;a@x.com;a,b,c\nBob;b@x.com;d\nCat;c@x.com;e,f\n';
    expect(detectDelimiter(sample)).toBe(';');
  });

  test('one-column file (no delimiter at all) -> comma', () => {
    expect(detectDelimiter('email\na@b.com\nc@d.com\n')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
  });

  test('an incomplete last line is ignored when the sample is not the whole input', () => {
    expect(detectDelimiter('a;b\n1;2\n3;4\n5,6,7,8,9,10', false)).toBe(';');
  });

  test('quoted newlines do not split records during detection', () => {
    expect(detectDelimiter('a|b\n"x\ny"|1\n"p\nq"|2\n')).toBe('|');
  });
});

describe('delimiter in openCsvInput', () => {
  test.each([
    ['semicolon.csv', ';', ['name', 'email', 'note']],
    ['tab.tsv', '\t', ['email', 'first', 'last']],
    ['pipe.csv', '|', ['first', 'last', 'mail']],
    ['crlf.csv', ',', ['id', 'email', 'city']],
  ])('%s is detected as %j', async (name, delimiter, header) => {
    const { input } = await readAll({ input: fixture(name) });
    expect(input.delimiter).toBe(delimiter);
    expect(input.header).toEqual(header);
  });

  test('semicolon fixture records keep commas inside values', async () => {
    const { good, malformed } = await readAll({ input: fixture('semicolon.csv') });
    expect(malformed).toBe(0);
    expect(good).toEqual([
      ['Smith, John', 'john@example.com', 'likes a,b,c'],
      ['Maria', 'maria@example.es', 'quoted; semicolon'],
      ['Lee', 'lee@example.org', ''],
    ]);
  });

  test('tab fixture', async () => {
    const { good } = await readAll({ input: fixture('tab.tsv') });
    expect(good).toEqual([
      ['ann@example.com', 'Ann', 'Lee'],
      ['bob@example.org', 'Bob', 'Tab\there'],
    ]);
  });

  test('a given delimiter wins over detection', async () => {
    const { input, good } = await readText('email;x\na@b.com;1\n', { delimiter: ',' });
    expect(input.delimiter).toBe(',');
    expect(good).toEqual([['a@b.com;1']]);
  });

  test("'tab' and '\\t' mean tab", async () => {
    for (const delimiter of ['tab', '\\t', '\t']) {
      const { input } = await readText('email\tx\na@b.com\t1\n', { delimiter });
      expect(input.delimiter).toBe('\t');
    }
  });

  test('an invalid delimiter is E_OPTION', async () => {
    for (const delimiter of ['', ';;', '"', '\n']) {
      await expect(readText('a\n', { delimiter })).rejects.toSatisfy(
        (e: unknown) => e instanceof ListscrubError && e.code === 'E_OPTION',
      );
    }
  });

  test('detection looks past a long first line (header with many columns)', async () => {
    const header = Array.from({ length: 300 }, (_, i) => `col${i}`).join(';');
    const row = Array.from({ length: 300 }, (_, i) => (i === 5 ? 'a@b.com' : `v${i}`)).join(';');
    const { input, good } = await readText(`${header}\n${row}\n${row}\n`);
    expect(input.delimiter).toBe(';');
    expect(input.column.index).toBe(5);
    expect(good).toHaveLength(2);
  });
});
