/**
 * Issue 13, the offline engine: cells with a good address in noise, several addresses in one cell,
 * empty cells, typo families, look-alike letters, international role names, Unicode normalization.
 */
import { describe, expect, it } from 'vitest';
import { analyzeAddress, analyzeAddressFull, splitAddressList } from '../../src/address/index.js';
import { scrubRecords } from '../../src/stream/index.js';
import type { ScrubbedRow } from '../../src/stream/index.js';

function verdictOf(cell: string) {
  const { verdict } = analyzeAddress(cell);
  // both paths of the engine agree on every cell here
  expect(analyzeAddressFull(cell)).toEqual(analyzeAddress(cell));
  return verdict;
}

/** A suggestion must itself be a valid address with nothing left to fix. */
function expectCleanSuggestion(suggestion: string | undefined) {
  expect(suggestion).toBeDefined();
  const again = analyzeAddress(suggestion!).verdict;
  expect(again.status, `${suggestion} -> ${again.reason}`).not.toBe('invalid');
  expect(again.suggestion).toBeUndefined();
}

describe('cells that hold a good address in noise', () => {
  const cases: Array<[string, string, string]> = [
    ['"john@gmail.com"', 'wrapped in quotation marks', 'john@gmail.com'],
    ["'john@gmail.com'", 'wrapped in quotation marks', 'john@gmail.com'],
    ['\u201cjohn@gmail.com\u201d', 'wrapped in quotation marks', 'john@gmail.com'],
    ['\u00abjohn@gmail.com\u00bb', 'wrapped in guillemets', 'john@gmail.com'],
    ['john\u200b@gmail.com', 'invisible zero-width space (U+200B) at position 5', 'john@gmail.com'],
    ['jo\u2060hn@gmail.com', 'invisible word joiner (U+2060) at position 3', 'john@gmail.com'],
    ['john@gm\ufeffail.com', 'invisible byte-order mark (U+FEFF) at position 8', 'john@gmail.com'],
    ['jo\u00adhn@gmail.com', 'invisible soft hyphen (U+00AD) at position 3', 'john@gmail.com'],
    ['john@gmail.com<br>', 'HTML markup (<br>)', 'john@gmail.com'],
    ['<b>john@gmail.com</b>', 'HTML markup', 'john@gmail.com'],
    ['mailto:x@gmail.com?subject=hi', 'mailto: link with a query', 'x@gmail.com'],
    ['MAILTO:Jane@Example.com', 'mailto: link', 'Jane@example.com'],
    ['ivan@gmail.com;', "ends with a separator (';')", 'ivan@gmail.com'],
    ['ivan@gmail.com,', "ends with a separator (',')", 'ivan@gmail.com'],
    ['\u00a0john@gmail.com', 'no-break space at the start', 'john@gmail.com'],
    ['john@gmail.com\u3000', 'ideographic space at the end', 'john@gmail.com'],
    ['"<br>john@gmail.com";', 'quotation marks', 'john@gmail.com'],
  ];
  for (const [cell, phrase, repaired] of cases) {
    it(`${JSON.stringify(cell)}: risky/repaired, names what was wrong, suggests ${repaired}`, () => {
      const v = verdictOf(cell);
      expect(v).toMatchObject({ status: 'risky', reason: 'repaired', address: repaired, suggestion: repaired });
      expect(v.detail.toLowerCase()).toContain(phrase.toLowerCase());
      expect(v.bounce).toBeUndefined();
      expectCleanSuggestion(v.suggestion);
    });
  }

  it('says "no @ sign" for none of them (the old detail for a quoted cell)', () => {
    for (const [cell] of cases) expect(verdictOf(cell).detail).not.toContain('no @ sign');
  });

  it('treats blanks one way: ASCII padding silently, every other blank and invisible character as a repair', () => {
    expect(verdictOf('  john@gmail.com\t')).toMatchObject({ status: 'valid', reason: 'ok' });
    for (const blank of ['\u00a0', '\u2007', '\u202f', '\u3000', '\u200b', '\ufeff', '\u2060']) {
      expect(verdictOf(`${blank}john@gmail.com`), JSON.stringify(blank)).toMatchObject({ status: 'risky', reason: 'repaired', address: 'john@gmail.com' });
      expect(verdictOf(`john@gmail.com${blank}`), JSON.stringify(blank)).toMatchObject({ status: 'risky', reason: 'repaired', address: 'john@gmail.com' });
    }
  });

  it('keeps a stronger finding and still mentions the repair', () => {
    const typo = verdictOf('"info@gmial.com"');
    expect(typo).toMatchObject({ reason: 'typo_domain', suggestion: 'info@gmail.com' });
    expect(typo.detail).toContain('quotation marks');
    expect(verdictOf('"info@example.com"')).toMatchObject({ reason: 'role_account' });
  });

  it('does not unwrap a quoted local part, and a bidi control stays invalid', () => {
    expect(verdictOf('"john smith"@example.com')).toMatchObject({ reason: 'unusual_syntax' });
    expect(verdictOf('jo\u202ehn@gmail.com')).toMatchObject({ status: 'invalid', reason: 'syntax' });
  });

  it('a suggestion for a broken cell is itself valid, or there is none', () => {
    for (const cell of ['"john@gmail"', "'john@@gmail.com'", 'john@gmail..com', 'jo hn@gmial.com', '"a b"@gmial.con', 'x@gmail.comcom']) {
      const v = verdictOf(cell);
      if (v.suggestion !== undefined) expectCleanSuggestion(v.suggestion);
    }
  });
});

describe('several addresses in one cell', () => {
  for (const cell of ['a@x.com; b@y.com', 'a@x.com, b@y.com', 'a@x.com / b@y.com', 'a@x.com b@y.com', 'a@x.com|b@y.com']) {
    it(`${JSON.stringify(cell)}: multiple_addresses, risky, every address in the detail`, () => {
      const v = verdictOf(cell);
      expect(v).toMatchObject({ status: 'risky', reason: 'multiple_addresses', address: null });
      expect(v.detail).toContain('2 addresses: a@x.com, b@y.com');
      expect(v.bounce).toBeUndefined();
    });
  }

  it('lists display-name forms too', () => {
    expect(verdictOf('Ann <a@x.com>, Bob <b@x.com>')).toMatchObject({ reason: 'multiple_addresses', detail: expect.stringContaining('a@x.com, b@x.com') });
  });

  it('is a syntax error when one of the parts is not an address', () => {
    expect(verdictOf('a@x.com; b@')).toMatchObject({ status: 'invalid', reason: 'syntax' });
  });

  it('splitAddressList gives the parts, or null for a single address', () => {
    expect(splitAddressList('a@x.com; b@y.com ;c@z.org')).toEqual(['a@x.com', 'b@y.com', 'c@z.org']);
    expect(splitAddressList('a/b@x.com')).toBeNull();
    expect(splitAddressList('a@x.com')).toBeNull();
  });
});

describe('empty cells', () => {
  for (const cell of ['', '   ', '\u200b', '\u00a0']) {
    it(`${JSON.stringify(cell)}: invalid/empty with no bounce code`, () => {
      const v = verdictOf(cell);
      expect(v).toMatchObject({ status: 'invalid', reason: 'empty', address: null });
      expect(v.bounce).toBeUndefined();
      expect(v.detail).toContain('empty');
    });
  }
});

describe('typos that real lists contain', () => {
  const cases: Array<[string, string]> = [
    ['gmail.com.com', 'gmail.com'],
    ['yahoo.fr.fr', 'yahoo.fr'],
    ['web.de.com', 'web.de'],
    ['gmx.de.de', 'gmx.de'],
    ['gmial.com.com', 'gmail.com'],
    ['yahoo.con.uk', 'yahoo.co.uk'],
    ['hotmail.com.uk', 'hotmail.co.uk'],
    ['bol.con.br', 'bol.com.br'],
    ['yahoo.cp.jp', 'yahoo.co.jp'],
    ['hotmai.de', 'hotmail.de'],
    ['librro.it', 'libero.it'],
    ['yandx.ru', 'yandex.ru'],
    ['seznan.cz', 'seznam.cz'],
    ['t-onlin.de', 't-online.de'],
    ['oragne.fr', 'orange.fr'],
  ];
  for (const [domain, meant] of cases) {
    it(`${domain} -> ${meant}`, () => {
      const v = verdictOf(`anna@${domain}`);
      expect(v.reason).toBe('typo_domain');
      expect(v.suggestion).toBe(`anna@${meant}`);
    });
  }

  it('gmail.comcom (a TLD typed twice) is invalid with the fix suggested', () => {
    expect(verdictOf('anna@gmail.comcom')).toMatchObject({ status: 'invalid', reason: 'syntax', suggestion: 'anna@gmail.com' });
  });

  it('leaves the real country forms of the providers alone', () => {
    for (const domain of ['yahoo.com.br', 'hotmail.com.br', 'yahoo.co.jp', 'yahoo.co.uk', 'bol.com.br', 'hotmail.de', 'gmx.at']) {
      expect(verdictOf(`anna@${domain}`).reason, domain).toBe('ok');
    }
  });
});

describe('mixed-script look-alikes', () => {
  it('gm\u0430il.com with a Cyrillic а: risky/confusable with the ASCII suggestion; DNS checks the name as written', () => {
    const { verdict, domain } = analyzeAddress('ann@gm\u0430il.com');
    expect(verdict).toMatchObject({ status: 'risky', reason: 'confusable', suggestion: 'ann@gmail.com' });
    expect(domain).toBe('xn--gmil-63d.com');
  });

  it('a look-alike in the local part', () => {
    expect(verdictOf('j\u043ehn@gmail.com')).toMatchObject({ reason: 'confusable', suggestion: 'john@gmail.com' });
  });

  it('a name written in one script is not a confusable', () => {
    expect(verdictOf('\u0438\u0432\u0430\u043d@\u043f\u043e\u0447\u0442\u0430.\u0440\u0444').reason).not.toBe('confusable');
    expect(verdictOf('hans@m\u00fcller.de').reason).toBe('ok');
  });
});

describe('role accounts beyond English', () => {
  for (const role of ['kontakt', 'contacto', 'contato', 'contatto', 'vertrieb', 'ventas', 'vendas', 'verkauf', 'buchhaltung', 'rechnung', 'facturacion', 'empleo', 'jobs', 'karriere', 'presse', 'prensa']) {
    it(`${role}@ is a role account`, () => {
      expect(verdictOf(`${role}@example.de`).reason).toBe('role_account');
    });
  }
});

describe('Unicode normalization', () => {
  const nfc = 'jos\u00e9@example.com';
  const nfd = 'jose\u0301@example.com';

  it('NFC and NFD spellings give the same address', () => {
    expect(analyzeAddress(nfd).verdict.address).toBe(analyzeAddress(nfc).verdict.address);
  });

  it('the second spelling is a duplicate of the first', async () => {
    const rows: ScrubbedRow[] = [];
    for await (const row of scrubRecords([[nfc], [nfd]], { column: 0, dns: false })) rows.push(row as ScrubbedRow);
    expect(rows.map((row) => row.verdict.status)).toEqual(['risky', 'duplicate']);
  });
});

describe('library options', () => {
  it('unknown option keys are errors that name the option and the near miss', async () => {
    const { createScrubber, createScrubStream, scrubCsv, checkAddress } = await import('../../src/index.js');
    expect(() => createScrubStream({ colum: 0 } as never)).toThrow(/Unknown option "colum" for createScrubStream\(\) \(did you mean "column"\?\)/);
    expect(() => createScrubber({ concurency: 2 } as never)).toThrow(/Unknown option "concurency" for createScrubber\(\) \(did you mean "concurrency"\?\)/);
    await expect(scrubCsv({ input: 'x.csv', maxInvalidrate: 0.1 } as never)).rejects.toThrow(/for scrubCsv\(\) \(did you mean "maxInvalidRate"\?\)/);
    await expect(checkAddress('a@example.com', { dns: false, retries: 1 } as never)).rejects.toMatchObject({ code: 'E_OPTION' });
  });

  it('createScrubStream builds its scrubber from every check option: a bad cacheTtl or smtp is refused, not ignored', async () => {
    const { createScrubStream } = await import('../../src/index.js');
    expect(() => createScrubStream({ column: 0, dns: false, cacheTtl: { max: 'x' as never } })).toThrow(/cacheTtl\.max/);
    expect(() => createScrubStream({ column: 0, dns: false, smtp: { helo: 'probe.example.org', from: 'v@example.org' } })).toThrow(/needs DNS/);
    expect(() => createScrubStream({ column: 0, smtp: { helo: 'gmail.com', from: 'v@example.org' } })).toThrow(/smtp\.helo/);
  });

  it('scrubber.stream() yields typed ScrubbedRow objects', async () => {
    const { createScrubber } = await import('../../src/index.js');
    const scrubber = createScrubber({ dns: false });
    const stream = scrubber.stream({ column: 0 });
    stream.end(['ann@example.com']);
    const indexes: number[] = [];
    // `row` is ScrubbedRow, not any: row.index is a number (the typecheck of this file proves it).
    for await (const row of stream) indexes.push(row.index + 0);
    expect(indexes).toEqual([1]);
    await scrubber.close();
  });
});
