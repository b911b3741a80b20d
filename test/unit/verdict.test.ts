import { describe, expect, it } from 'vitest';
import { analyzeAddress } from '../../src/address/index.js';
import { applyDomainOutcome, REASONS } from '../../src/verdict.js';
import { REASON_CODES } from '../../src/types.js';

const offline = (cell: string) => analyzeAddress(cell).verdict;

describe('applyDomainOutcome', () => {
  it('a deliverable domain leaves the offline verdict as it was', () => {
    const risky = offline('info@example.com');
    expect(applyDomainOutcome(risky, { kind: 'deliverable', detail: 'MX ok' })).toBe(risky);
  });

  it('an undeliverable domain makes the address invalid, with the bounce code, keeping the typo suggestion', () => {
    const verdict = applyDomainOutcome(offline('jane@gmial.com'), {
      kind: 'undeliverable',
      reason: 'domain_not_found',
      detail: 'gmial.com does not exist (NXDOMAIN)',
    });
    expect(verdict).toMatchObject({
      status: 'invalid',
      reason: 'domain_not_found',
      bounce: '5.1.2',
      suggestion: 'jane@gmail.com',
      alsoFound: 'typo_domain',
    });
  });

  it('a risky finding outranks a check that could not be made: still risky, the DNS reason as alsoFound', () => {
    const verdict = applyDomainOutcome(offline('someone@mailinator.com'), {
      kind: 'unknown',
      reason: 'dns_unavailable',
      detail: 'not checked',
    });
    expect(verdict).toMatchObject({ status: 'risky', reason: 'disposable', alsoFound: 'dns_unavailable' });
    expect(verdict.detail).toMatch(/DNS gave no answer to trust: not checked\.$/);
    expect(verdict.bounce).toBeUndefined();
  });

  it('a valid address made unknown carries no alsoFound, and an invalid one stays as it was', () => {
    const unknown = applyDomainOutcome(offline('jane@example.com'), { kind: 'unknown', reason: 'dns_timeout', detail: 'timeout' });
    expect(unknown.status).toBe('unknown');
    expect(unknown).not.toHaveProperty('alsoFound');
    const invalid = offline('a..b@example.com');
    expect(applyDomainOutcome(invalid, { kind: 'undeliverable', reason: 'null_mx', detail: 'null MX' })).toBe(invalid);
  });
});

describe('REASONS', () => {
  it('documents every reason code, and only invalid reasons carry a bounce code (an empty cell sent nothing)', () => {
    expect(Object.keys(REASONS).sort()).toEqual([...REASON_CODES].sort());
    for (const [code, info] of Object.entries(REASONS)) {
      expect(info.bounce !== undefined, code).toBe(info.status === 'invalid' && code !== 'empty');
    }
  });
});
