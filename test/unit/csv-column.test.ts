import { describe, expect, test } from 'vitest';
import { ListscrubError } from '../../src/errors.js';
import { findEmailColumn, openCsvInput } from '../../src/csv/read.js';
import { fixture, readAll, readText } from './csv-helpers.js';

describe('findEmailColumn: header names', () => {
  test.each([
    'email',
    'Email',
    ' EMAIL ',
    'e-mail',
    'E_Mail',
    'email address',
    'Email_Address',
    'EmailAddress',
    'mail',
    'E-mail Address',
    'courriel',
    'Adresse e-mail',
    'correo',
    'Correo electrónico',
    'E-post',
    'epost',
    'posta elettronica',
    'E-Mail-Adresse',
    'Sähköposti',
    'メールアドレス',
  ])('%j is the email column', (name) => {
    expect(findEmailColumn(['id', 'name', name, 'city'], [])).toEqual({ index: 2, source: 'header' });
  });

  test('an exact name wins over one that only contains "email"', () => {
    const header = ['email_opt_in', 'work_email_verified', 'E-mail', 'name'];
    expect(findEmailColumn(header, [])).toEqual({ index: 2, source: 'header' });
    expect(findEmailColumn(header, [['yes', 'no', 'a@b.com', 'Ann']])).toEqual({ index: 2, source: 'header' });
  });

  test('a "contains email" column is taken only when its cells look like addresses', () => {
    const header = ['email_opt_in', 'work_email', 'name'];
    const rows = [
      ['yes', 'ann@corp.example', 'Ann'],
      ['no', 'bob@corp.example', 'Bob'],
    ];
    expect(findEmailColumn(header, rows)).toEqual({ index: 1, source: 'header' });
    // Without rows, the first "contains" match.
    expect(findEmailColumn(header, [])).toEqual({ index: 0, source: 'header' });
  });

  test('no matching header: detected from content', () => {
    const header = ['who', 'contact', 'when'];
    const rows = [
      ['Ann', 'ann@example.com', '2023'],
      ['Bob', 'bob@example.org', '2024'],
      ['Cat', 'not an address', '2024'],
    ];
    expect(findEmailColumn(header, rows)).toEqual({ index: 1, source: 'content' });
  });

  test('content: the column where most cells are addresses, not one mentioning an address', () => {
    const rows = [
      ['write to ann@example.com please', 'ann@example.com'],
      ['n/a', 'bob@example.org'],
      ['', 'cat@example.net'],
    ];
    expect(findEmailColumn(null, rows)).toEqual({ index: 1, source: 'content' });
    expect(findEmailColumn(['notes', 'x'], rows)).toEqual({ index: 1, source: 'content' });
  });

  test('nothing fits -> null', () => {
    expect(findEmailColumn(['a', 'b'], [['1', '2']])).toBeNull();
    expect(findEmailColumn(null, [])).toBeNull();
    expect(findEmailColumn(['a', 'b'], [])).toBeNull();
  });
});

describe('column in openCsvInput', () => {
  test('by name, case-insensitive and trimmed', async () => {
    const { input } = await readAll({ input: fixture('pipe.csv'), column: '  MAIL ' });
    expect(input.column).toEqual({ index: 2, name: 'mail', source: 'option' });
  });

  test('by 1-based number (number or digit string)', async () => {
    expect((await readAll({ input: fixture('no-header.csv'), header: false, column: 2 })).input.column).toEqual({
      index: 1,
      name: null,
      source: 'option',
    });
    expect((await readAll({ input: fixture('pipe.csv'), column: '3' })).input.column).toEqual({
      index: 2,
      name: 'mail',
      source: 'option',
    });
  });

  test('unknown name: E_NO_EMAIL_COLUMN listing the header names and suggesting --column', async () => {
    const error = await openCsvInput({ input: fixture('pipe.csv'), column: 'address' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListscrubError);
    expect((error as ListscrubError).code).toBe('E_NO_EMAIL_COLUMN');
    expect((error as Error).message).toContain('"first", "last", "mail"');
    expect((error as Error).message).toContain('--column');
  });

  test('number out of range: E_NO_EMAIL_COLUMN', async () => {
    await expect(openCsvInput({ input: fixture('pipe.csv'), column: 4 })).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_NO_EMAIL_COLUMN' && /3 columns/.test(e.message),
    );
    await expect(openCsvInput({ input: fixture('pipe.csv'), column: 0 })).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_OPTION',
    );
  });

  test('no email column anywhere: E_NO_EMAIL_COLUMN with the header names', async () => {
    await expect(readText('first,last\nAnn,Lee\nBob,Ray\n')).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof ListscrubError &&
        e.code === 'E_NO_EMAIL_COLUMN' &&
        e.message.includes('"first", "last"') &&
        e.message.includes('--column'),
    );
  });

  test('no header (header: false): detected from content, first row is data', async () => {
    const { input, items } = await readAll({ input: fixture('no-header.csv'), header: false });
    expect(input.header).toBeNull();
    expect(input.column).toEqual({ index: 1, name: null, source: 'content' });
    expect(items[0]).toEqual({ record: ['Ann', 'ann@example.com', '2023-01-02'], info: { line: 1, index: 1 } });
    expect(items).toHaveLength(3);
  });

  test('a name with header: false is E_NO_EMAIL_COLUMN', async () => {
    await expect(openCsvInput({ input: fixture('no-header.csv'), header: false, column: 'email' })).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_NO_EMAIL_COLUMN' && /by number/.test(e.message),
    );
  });

  test('header: true but the first row is an address: read as data, with a warning', async () => {
    const { input, items } = await readAll({ input: fixture('emails-only.csv') });
    expect(input.header).toBeNull();
    expect(input.column).toEqual({ index: 0, name: null, source: 'content' });
    expect(input.warnings).toHaveLength(1);
    expect(input.warnings[0]).toMatch(/line 1 .*--no-header/);
    expect(items).toEqual([
      { record: ['ann@example.com'], info: { line: 1, index: 1 } },
      { record: ['bob@example.org'], info: { line: 2, index: 2 } },
      { record: ['cat@example.net'], info: { line: 4, index: 3 } },
    ]);
  });

  test('a header named like an email column is a header even if a later column holds addresses', async () => {
    const { input, items } = await readText('email,backup\nann@example.com,x@y.com\n');
    expect(input.header).toEqual(['email', 'backup']);
    expect(items).toHaveLength(1);
  });

  test('duplicate and empty header names survive (records are arrays)', async () => {
    const { input, good } = await readText('name,,email,name\nAnn,,ann@example.com,Lee\n');
    expect(input.header).toEqual(['name', '', 'email', 'name']);
    expect(input.column.index).toBe(2);
    expect(good).toEqual([['Ann', '', 'ann@example.com', 'Lee']]);
  });
});
