/** The pure parts of the outputs (src/results.ts): layouts, the written verdict, column notes. */
import { describe, expect, it } from 'vitest';
import { analyzeAddress } from '../../src/address/index.js';
import { appendLayout, describeColumn, judgeWritten, mxHost, severalEmailColumns, suggestionToApply, validateApplySuggestions } from '../../src/results.js';

describe('appendLayout', () => {
  it('appends the columns, dropping the input columns of the same names (a re-cleaned file)', () => {
    expect(appendLayout(['id', 'email'], ['email_status'])).toEqual({ header: ['id', 'email', 'email_status'], keep: null });
    expect(appendLayout(['id', 'email_status', 'email', 'Email_Reason'], ['email_status', 'email_reason'])).toEqual({
      header: ['id', 'email', 'email_status', 'email_reason'],
      keep: [0, 2],
    });
    expect(appendLayout(null, ['email_status'])).toEqual({ header: null, keep: null });
  });
});

describe('suggestions written in place', () => {
  it('applies certain repairs by default and the listed reasons on request', () => {
    const repaired = analyzeAddress('"ann@example.com"').verdict;
    const typo = analyzeAddress('ann@gmial.com').verdict;
    const certain = validateApplySuggestions(true);
    expect(suggestionToApply(repaired, certain)).toBe('ann@example.com');
    expect(suggestionToApply(typo, certain)).toBeUndefined();
    expect(suggestionToApply(typo, validateApplySuggestions(['typo_domain']))).toBe('ann@gmail.com');
    expect(suggestionToApply(typo, null)).toBeUndefined();
    expect(() => validateApplySuggestions(['disposable'])).toThrow(/suggestions come with these reasons/);
  });

  it('judges a repaired cell on what is written; other verdicts are unchanged', () => {
    expect(judgeWritten(analyzeAddress('ivan@gmail.com;').verdict)).toMatchObject({ status: 'valid', reason: 'ok', address: 'ivan@gmail.com' });
    const typo = analyzeAddress('ann@gmial.com').verdict;
    expect(judgeWritten(typo)).toBe(typo);
  });
});

describe('notes for the summary and the result file', () => {
  it('warns about several email-like columns, only when the checked one is among them', () => {
    expect(severalEmailColumns(['Name', 'Work Email', 'Personal E-mail'], 1)).toMatch(/'Work Email' was checked, 'Personal E-mail' was not/);
    expect(severalEmailColumns(['Name', 'Email', 'email_status'], 1)).toBeUndefined();
    expect(severalEmailColumns(['email', 'email_smtp_reason', 'email_smtp_code', 'email_smtp_text'], 0)).toBeUndefined();
    expect(severalEmailColumns(['Email', 'Courriel', 'Phone'], 2)).toBeUndefined();
  });

  it('describes how the column was found', () => {
    expect(describeColumn({ index: 2, name: 'email', source: 'header' })).toBe("column 3 'email', found by its header name");
    expect(describeColumn({ index: 0, name: null, source: 'content' })).toMatch(/^column 1, found by its content/);
  });

  it('takes the MX host from a deliverable outcome only', () => {
    expect(mxHost({ kind: 'deliverable', detail: 'MX mx1.example.com (preference 10) resolves to 93.184.216.34' })).toBe('mx1.example.com');
    expect(mxHost({ kind: 'deliverable', detail: 'no MX; falls back to A 93.184.216.34' })).toBe('');
    expect(mxHost({ kind: 'undeliverable', reason: 'null_mx', detail: 'MX x' })).toBe('');
    expect(mxHost(undefined)).toBe('');
  });
});
