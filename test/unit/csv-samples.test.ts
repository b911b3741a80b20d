import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openCsvInput } from '../../src/csv/read.js';
import { readAll } from './csv-helpers.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

describe('sample lists (CSV-level facts documented in samples/README.md)', () => {
  test('subscribers.csv: 302 records, 2 malformed at lines 102 and 203, email column by name', async () => {
    const { input, items, good } = await readAll({ input: join(SAMPLES, 'subscribers.csv') });
    expect(input.header).toEqual(['first_name', 'last_name', 'email', 'signup_date', 'source']);
    expect(input.column).toEqual({ index: 2, name: 'email', source: 'header' });
    expect(input.delimiter).toBe(',');
    expect(items).toHaveLength(302);
    expect(items.flatMap((item) => ('malformed' in item ? [item.malformed.line] : []))).toEqual([102, 203]);
    const emails = good.map((row) => row[2]);
    for (const expected of [
      'lena.vogt@gmail,com',
      '"john doe"@brightwave-analytics.com',
      'qwerty123@mailinator.com',
      'hannah.wright@gmial.com',
      'gary@parked-brandname.com',
      'uma.roy@servfail-broken.net',
      ' quinn.carter@hotmail.com ',
    ]) {
      expect(emails).toContain(expected);
    }
  });

  test('subscribers-semicolon-latin1.csv: needs --encoding latin1; 50 records, E-mail column', async () => {
    await expect(openCsvInput({ input: join(SAMPLES, 'subscribers-semicolon-latin1.csv') })).rejects.toMatchObject({
      code: 'E_ENCODING',
      line: 1,
    });
    const { input, good } = await readAll({ input: join(SAMPLES, 'subscribers-semicolon-latin1.csv'), encoding: 'latin1' });
    expect(input.delimiter).toBe(';');
    expect(input.lineEnding).toBe('\r\n');
    expect(input.header).toEqual(['Prénom', 'Nom', 'E-mail', 'Inscrit le']);
    expect(input.column).toEqual({ index: 2, name: 'E-mail', source: 'header' });
    expect(good).toHaveLength(50);
    expect(good[0]).toEqual(['Élodie', 'Lefèvre', 'elodie.lefevre@orange.fr', expect.any(String)]);
    expect(good.map((row) => row[2])).toContain('marc.olivié@gmial.com');
  });
});
