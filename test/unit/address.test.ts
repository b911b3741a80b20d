import { describe, expect, it } from 'vitest';
import {
  analyzeAddress,
  analyzeAddressFull,
  damerauLevenshtein,
  normalizeAddress,
  suggestCorrection,
} from '../../src/address/index.js';

function expectVerdict(input: string, status: string, reason: string, detail: string | RegExp) {
  const { verdict } = analyzeAddress(input);
  expect({ status: verdict.status, reason: verdict.reason }).toEqual({ status, reason });
  if (typeof detail === 'string') expect(verdict.detail).toContain(detail);
  else expect(verdict.detail).toMatch(detail);
  // the full parser must agree with whatever path analyzeAddress took
  expect(analyzeAddressFull(input)).toEqual(analyzeAddress(input));
  return verdict;
}

describe('valid addresses', () => {
  it('accepts a plain address and reports its domain', () => {
    const r = analyzeAddress('jane.doe@example.com');
    expect(r.verdict).toMatchObject({ status: 'valid', reason: 'ok', address: 'jane.doe@example.com' });
    expect(r.domain).toBe('example.com');
    expect(r.verdict.bounce).toBeUndefined();
    expect(r.verdict.suggestion).toBeUndefined();
  });

  it('accepts all atext characters, +tags and digits', () => {
    for (const a of ["!#$%&'*+/=?^_`{|}~-@example.org", 'user+tag@sub.example.co.uk', '123@123.com', 'a-b@c--d.com']) {
      expectVerdict(a, 'valid', 'ok', 'well formed');
    }
  });
});

describe('normalization', () => {
  it('trims white space, drops mailto:, extracts Name <addr>, lower-cases only the domain', () => {
    expect(normalizeAddress('  Jane.Doe@EXAMPLE.Com\t')).toBe('Jane.Doe@example.com');
    expect(normalizeAddress('MAILTO:Jane@Example.com')).toBe('Jane@example.com');
    expect(normalizeAddress('Jane Doe <Jane@Example.COM>')).toBe('Jane@example.com');
    expect(normalizeAddress('"Doe, Jane" <jane@example.com>')).toBe('jane@example.com');
    expect(normalizeAddress('Doe, Jane <jane@example.com>')).toBe('jane@example.com');
    expect(normalizeAddress('<mailto:jane@example.com>')).toBe('jane@example.com');
  });

  it('converts an internationalized domain to punycode', () => {
    const r = analyzeAddress('hans@Müller.de');
    expect(r.verdict.address).toBe('hans@xn--mller-kva.de');
    expect(r.domain).toBe('xn--mller-kva.de');
    expect(r.verdict.status).toBe('valid');
  });

  it('is idempotent on examples', () => {
    for (const a of ['Jane <J@X.COM>', 'a@bücher.example.de', '"a b"@x.com', 'a(c)@x.org', 'a@[192.0.2.1]']) {
      const n = analyzeAddress(a).verdict.address;
      expect(n).not.toBeNull();
      expect(analyzeAddress(n!).verdict.address).toBe(n);
    }
  });
});

describe('syntax: invalid', () => {
  const cases: Array<[string, string]> = [
    ['jane.example.com', 'no @ sign'],
    ['a@b@example.com', '2 @ signs'],
    ['a@x.com; b@', 'more than one address'],
    ['a@x.com, b@x', 'more than one address'],
    ['ja\u200ene@example.com', 'invisible formatting character (U+200E)'],
    ['.jane@example.com', 'local part (before the @) starts with a dot'],
    ['jane.@example.com', 'local part (before the @) ends with a dot'],
    ['ja..ne@example.com', 'two consecutive dots in the local part'],
    ['jane@.example.com', 'domain starts with a dot'],
    ['jane@example..com', 'two consecutive dots'],
    ['jane@example.com.', 'trailing dot'],
    ['ja ne@example.com', 'space outside a quoted string'],
    ['ja\tne@example.com', 'space outside a quoted string'],
    ['ja\u0000ne@example.com', 'control character (U+0000)'],
    ['jane@example.com\r\n', 'control character (U+000D)'],
    [`${'a'.repeat(65)}@example.com`, 'local part (before the @) is 65 octets long; the limit is 64'],
    [`a@${'b'.repeat(64)}.com`, 'is 64 octets long; the limit is 63'],
    [`a@${Array(64).fill('abc').join('.')}.com`, 'the limit is 253'],
    [`${'a'.repeat(64)}@${Array(47).fill('abcd').join('.')}.com`, 'the limit is 254'],
    ['a@-example.com', "label '-example' starts with a hyphen"],
    ['a@example-.com', "label 'example-' ends with a hyphen"],
    ['a@exa_mple.com', "contains '_'; a host name may only use letters, digits and hyphens"],
    ['a@exa,mple.com', "contains ','"],
    ['user@localhost', "'localhost' has no dot"],
    ['a@example.c0m', "'.c0m' does not exist"],
    ['a@example.notarealtld', "'.notarealtld' does not exist (not in the IANA list)"],
    ['a@1.2.3.4', "'4' is numeric"],
    ['a@example.arpa', '.arpa'],
    ['a(b@x.com', 'unclosed comment'],
    ['"a@x.com', 'unclosed quotation mark'],
    ['a@[1.2.3.4', "unclosed '['"],
    ['a@[300.1.2.3]', 'IP address literal [300.1.2.3] is malformed'],
    ['a@[IPv6:1::2::3]', 'is malformed'],
    ['a@[::1]', 'is malformed'],
    ['a@example.com>', "unmatched '>'"],
    ['a<b@example.com', "unmatched '<'"],
    ['a@ex€mple.com', "contains '€', which is not allowed in a domain name"],
    ['me@ｅｘａｍｐｌｅ.com', 'full-width or look-alike'],
    [`${'('.repeat(500)}a@x.com`, 'nested too deeply'],
    ['\ud800@example.com', 'unpaired UTF-16 surrogate'],
    [`${'a'.repeat(1001)}@x.com`, 'characters long'],
    ['a"b"c@x.com', 'RFC 5322 grammar'],
  ];
  for (const [input, fragment] of cases) {
    it(`${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)} -> ${fragment}`, () => {
      const v = expectVerdict(input, 'invalid', 'syntax', fragment);
      expect(v.address).toBeNull();
      expect(v.bounce).toBe('5.1.3');
      expect(analyzeAddress(input).domain).toBeNull();
    });
  }

  it('keeps the cell text as given in input', () => {
    expect(analyzeAddress('  X@Y  ').verdict.input).toBe('  X@Y  ');
  });
});

describe('unusual syntax: risky', () => {
  it('flags a quoted local part', () => {
    const v = expectVerdict('"john doe"@example.com', 'risky', 'unusual_syntax', 'quoted string');
    expect(v.address).toBe('"john doe"@example.com');
    expect(analyzeAddress('"john doe"@example.com').domain).toBe('example.com');
  });

  it('flags comments and drops them from the address', () => {
    const v = expectVerdict('john(work)@example.com', 'risky', 'unusual_syntax', 'comment in parentheses');
    expect(v.address).toBe('john@example.com');
  });

  it('flags IP literals, with no domain for DNS', () => {
    expectVerdict('a@[192.0.2.1]', 'risky', 'unusual_syntax', 'IP address literal');
    expectVerdict('a@[IPv6:2001:db8::1]', 'risky', 'unusual_syntax', 'IP address literal');
    expect(analyzeAddress('a@[192.0.2.1]').domain).toBeNull();
  });

  it('flags a non-ASCII local part (needs SMTPUTF8)', () => {
    expectVerdict('josé@example.com', 'risky', 'unusual_syntax', 'SMTPUTF8');
  });
});

describe('disposable and role accounts', () => {
  it('flags a disposable domain and its subdomains', () => {
    expectVerdict('a@mailinator.com', 'risky', 'disposable', "'mailinator.com' is a disposable");
    expectVerdict('a@x.mailinator.com', 'risky', 'disposable', "provider 'mailinator.com'");
  });

  it('flags role mailboxes, case-insensitively and ignoring +tags', () => {
    for (const a of ['info@example.com', 'Admin@example.com', 'postmaster+x@example.com', 'no-reply@example.com', 'NOREPLY@example.com']) {
      expectVerdict(a, 'risky', 'role_account', 'role mailbox');
    }
    expectVerdict('information@example.com', 'valid', 'ok', 'well formed');
    expectVerdict('jane.info@example.com', 'valid', 'ok', 'well formed');
  });
});

describe('typo domains and suggestions', () => {
  const typos: Array<[string, string]> = [
    ['jane@gmial.com', 'jane@gmail.com'],
    ['x@hotmial.com', 'x@hotmail.com'],
    ['x@yaho.com', 'x@yahoo.com'],
    ['x@gamil.com', 'x@gmail.com'],
    ['x@outlok.com', 'x@outlook.com'],
    ['x@gmail.co', 'x@gmail.com'],
    ['x@hotmail.cm', 'x@hotmail.com'],
  ];
  for (const [input, suggestion] of typos) {
    it(`${input} -> ${suggestion}`, () => {
      const v = expectVerdict(input, 'risky', 'typo_domain', 'looks like a misspelling');
      expect(v.suggestion).toBe(suggestion);
      expect(suggestCorrection(input)).toBe(suggestion);
    });
  }

  it('attaches a suggestion to a syntax-invalid TLD typo', () => {
    const v = expectVerdict('x@gmail.con', 'invalid', 'syntax', "'.con' does not exist");
    expect(v.suggestion).toBe('x@gmail.com');
    expect(analyzeAddress('y@example.cmo').verdict.suggestion).toBe('y@example.com');
    expect(analyzeAddress('y@gmial.con').verdict.suggestion).toBe('y@gmail.com');
    expect(analyzeAddress('y@yahoo.co.ukk').verdict).toMatchObject({ status: 'invalid', suggestion: 'y@yahoo.co.uk' });
  });

  it('suggests repairs for common breakage', () => {
    expect(analyzeAddress('jane@gmail,com').verdict.suggestion).toBe('jane@gmail.com');
    expect(analyzeAddress('jane..doe@example.com').verdict.suggestion).toBe('jane.doe@example.com');
    expect(analyzeAddress('jane@example.com.').verdict.suggestion).toBe('jane@example.com');
    expect(analyzeAddress('jane @gmail.com').verdict.suggestion).toBe('jane@gmail.com');
    expect(analyzeAddress('jane@gmailcom').verdict.suggestion).toBe('jane@gmail.com');
    expect(analyzeAddress('me@ｇｍａｉｌ.com').verdict.suggestion).toBe('me@gmail.com');
  });

  it('never flags legitimate provider domains or short look-alikes', () => {
    for (const d of ['gmail.com', 'mail.com', 'email.com', 'gmx.de', 'gmx.com', 'gmx.net', 'web.de', 'me.com', 'mac.com',
      'live.com', 'life.com', 'cloud.com', 'wahoo.com', 'ymail.com', 'proton.me', 'yahoo.co.uk', 'hotmail.co.uk', 'qq.com', '163.com', 'aol.com', 'example.com']) {
      const v = analyzeAddress(`jane@${d}`).verdict;
      expect(v.reason, d).toBe('ok');
      expect(v.suggestion, d).toBeUndefined();
    }
  });

  it('reports typo before role', () => {
    const v = expectVerdict('info@gmial.com', 'risky', 'typo_domain', 'gmail.com');
    expect(v.suggestion).toBe('info@gmail.com');
  });

  it('computes Damerau-Levenshtein distances', () => {
    expect(damerauLevenshtein('gmail', 'gmial')).toBe(1);
    expect(damerauLevenshtein('hotmail', 'hotmial')).toBe(1);
    expect(damerauLevenshtein('yahoo', 'yaho')).toBe(1);
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(damerauLevenshtein('', 'abc')).toBe(3);
    expect(damerauLevenshtein('abcdef', 'zzzzzz', 2)).toBe(3);
  });
});

describe('never throws', () => {
  const nasty = [
    '\u0000', '\ud800', '\udc00@x.com', 'a@\ud83d', '@', '@@', '<>', '<', '>', '"', '""@x.com', '()', '(', ')', '[', ']', 'a@[',
    'a@[]', 'a@[IPv6:]', '\\', '"\\"', 'mailto:', 'mailto:<>', ' <a@x.com> ', 'a'.repeat(1_000_000), '('.repeat(999),
    `${'('.repeat(400)}${')'.repeat(400)}a@x.com`, '"'.repeat(999), 'a@'.repeat(300), '\u{10ffff}@\u{10ffff}.com',
    'a@xn--.com', 'a@xn--zz.com', 'a@\u3002.com', 'toString@constructor.__proto__',
  ];
  for (const s of nasty) {
    it(`${JSON.stringify(s.slice(0, 30))} (${s.length} chars)`, () => {
      const t = Date.now();
      const r = analyzeAddress(s);
      expect(Date.now() - t).toBeLessThan(200);
      expect(r.verdict.input).toBe(s);
      expect(typeof r.verdict.detail).toBe('string');
      expect(analyzeAddressFull(s)).toEqual(r);
    });
  }
});
