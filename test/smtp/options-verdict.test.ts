/** The `smtp` option (identities we own, coded errors with did-you-mean) and what an outcome does to a verdict. */
import { describe, expect, it } from 'vitest';
import { ListscrubError } from '../../src/errors.js';
import { applyMailboxOutcome, checkSmtpIdentity, createChecker, createMailboxChecker, validateSmtpOptions, type MailboxOutcome } from '../../src/smtp/index.js';
import type { Verdict } from '../../src/types.js';
import { makeVerdict } from '../../src/verdict.js';

const OK = { helo: 'probe.listscrub-test.net', from: 'verify@listscrub-test.net' };

function optionError(raw: unknown): string {
  try {
    validateSmtpOptions(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ListscrubError);
    expect((error as ListscrubError).code).toBe('E_OPTION');
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('validateSmtpOptions', () => {
  it('fills in the documented defaults', () => {
    expect(validateSmtpOptions(OK)).toEqual({
      ...OK,
      port: 25,
      timeouts: { connectMs: 10_000, greetingMs: 30_000, commandMs: 30_000, sessionMs: 90_000 },
      limits: { connectionsPerGroup: 2, connectIntervalMs: 1000, probesPerMinute: 60 },
      maxWaitSeconds: 900,
      maxHosts: 3,
      addressesPerConnection: 20,
      probeUnverifiable: false,
      catchAll: true,
    });
  });

  it.each([
    ['localhost', /smtp\.helo" \(--smtp-helo\) must be a fully qualified domain name/],
    ['mailhost', /fully qualified domain name/],
    ['203.0.113.5', /not an IP address/],
    ['[203.0.113.5]', /not an IP address/],
    ['gmail.com', /not a mailbox provider's/],
    ['mx.google.com', /not a mailbox provider's/],
    ['smtp.outlook.com', /not a mailbox provider's/],
  ])('refuses HELO %s', (helo, message) => {
    expect(optionError({ ...OK, helo })).toMatch(message);
  });

  it('refuses a sender at a provider or with no domain of ours', () => {
    expect(optionError({ ...OK, from: 'me@yahoo.com' })).toMatch(/smtp\.from" \(--smtp-from\) must be an address at a domain we own, not a mailbox provider's/);
    expect(optionError({ ...OK, from: 'verify@localhost' })).toMatch(/--smtp-from/);
    expect(optionError({ ...OK, from: 'not an address' })).toMatch(/must be an address we own/);
    expect(optionError({ helo: OK.helo })).toMatch(/smtp\.from/);
  });

  it('names unknown keys with a did-you-mean, nested ones too', () => {
    expect(optionError({ ...OK, maxWaitSecond: 10 })).toBe('Unknown option "smtp.maxWaitSecond" (did you mean "maxWaitSeconds"?).');
    expect(optionError({ ...OK, verbose: true })).toMatch(/^Unknown option "smtp\.verbose"\. Known: helo, from, port, /);
    expect(optionError({ ...OK, timeouts: { conectMs: 5 } })).toBe('Unknown option "smtp.timeouts.conectMs" (did you mean "connectMs"?).');
    expect(optionError({ ...OK, port: 70000 })).toBe('Option "smtp.port" (--smtp-port) must be a whole number from 1 to 65535; got 70000.');
    expect(optionError({ ...OK, maxWaitSeconds: -1 })).toMatch(/"smtp\.maxWaitSeconds" \(--smtp-max-wait\) must be a whole number from 0/);
    expect(optionError('yes')).toMatch(/Option "smtp" must be an object/);
  });
});

describe('createChecker and createMailboxChecker', () => {
  it('createChecker takes options validateSmtpOptions resolved; createMailboxChecker validates raw ones first', async () => {
    const checker = createChecker(validateSmtpOptions(OK));
    expect(checker.summary()).toMatchObject({ status: 'ok', probes: 0, connections: 0 });
    await checker.close();
    expect(() => createMailboxChecker({ ...OK, helo: 'localhost' })).toThrow(/"smtp\.helo"/);
    const raw = createMailboxChecker(OK);
    expect(raw.summary()).toMatchObject({ status: 'ok' });
    await raw.close();
  });
});

describe('checkSmtpIdentity', () => {
  it('warns when the HELO name has no address record, and not when it has one or the lookup failed', async () => {
    expect(await checkSmtpIdentity(OK, async () => [])).toEqual([expect.stringMatching(/^The HELO name probe\.listscrub-test\.net has no A\/AAAA record/)]);
    expect(await checkSmtpIdentity(OK, async () => { throw new Error('ENOTFOUND'); })).toEqual([]);
    expect(await checkSmtpIdentity(OK, async () => ['198.51.100.7'])).toEqual([]);
  });
});

describe('applyMailboxOutcome', () => {
  const valid = makeVerdict('jane@example.net', 'jane@example.net', 'ok', 'No problem found.');
  const role = makeVerdict('info@example.net', 'info@example.net', 'role_account', 'A role address.');
  const smtp = { code: 550, enhanced: '5.1.1', text: '550 5.1.1 User unknown', mxHost: 'mx.example.net' };
  const outcome = (reason: MailboxOutcome['reason'], extra: Partial<MailboxOutcome> = {}): MailboxOutcome => ({ reason, detail: `said ${reason}.`, ...extra });

  it('accepted keeps the DNS verdict and records the evidence', () => {
    const accepted = applyMailboxOutcome(valid, outcome('accepted', { smtp: { ...smtp, code: 250, enhanced: '2.1.5', text: '250 2.1.5 Ok' } }));
    expect(accepted).toEqual({ ...valid, mailbox: { reason: 'accepted', code: 250, enhanced: '2.1.5', text: '250 2.1.5 Ok', mxHost: 'mx.example.net' } });
    expect(applyMailboxOutcome(role, outcome('accepted'))).toMatchObject({ status: 'risky', reason: 'role_account' });
  });

  it('mailbox_not_found and mailbox_disabled make it invalid with their bounce codes; a risky finding is kept as alsoFound', () => {
    expect(applyMailboxOutcome(valid, outcome('mailbox_not_found', { smtp }))).toMatchObject({ status: 'invalid', reason: 'mailbox_not_found', bounce: '5.1.1', mailbox: { reason: 'mailbox_not_found', code: 550 } });
    expect(applyMailboxOutcome(role, outcome('mailbox_disabled'))).toMatchObject({ status: 'invalid', reason: 'mailbox_disabled', bounce: '5.2.1', alsoFound: 'role_account' });
  });

  it('mailbox_full and catch_all are risky; an address risky for its own reason stays so', () => {
    expect(applyMailboxOutcome(valid, outcome('catch_all'))).toMatchObject({ status: 'risky', reason: 'catch_all' });
    expect(applyMailboxOutcome(valid, outcome('mailbox_full'))).toMatchObject({ status: 'risky', reason: 'mailbox_full' });
    expect(applyMailboxOutcome(role, outcome('catch_all'))).toMatchObject({ status: 'risky', reason: 'role_account', alsoFound: 'catch_all' });
  });

  it.each(['greylisted', 'smtp_blocked', 'smtp_rate_limited', 'smtp_temp_error', 'smtp_timeout', 'smtp_unreachable', 'smtp_unrecognized', 'smtp_provider_unverifiable', 'smtp_blanket_reject'] as const)(
    '%s: a check that could not be made is unknown with its reason (as for DNS); a risky finding outranks it',
    (reason) => {
      const after = applyMailboxOutcome(valid, outcome(reason, { smtp }));
      expect(after).toMatchObject({ status: 'unknown', reason, detail: `said ${reason}.`, mailbox: { reason, code: 550 } });
      expect(after).not.toHaveProperty('bounce');
      expect(applyMailboxOutcome(role, outcome(reason))).toEqual({ ...role, alsoFound: reason, mailbox: { reason } });
    },
  );

  it('an invalid verdict stays exactly as it was', () => {
    const invalid: Verdict = makeVerdict('a@dead.example', 'a@dead.example', 'domain_not_found', 'NXDOMAIN.');
    expect(applyMailboxOutcome(invalid, outcome('accepted'))).toBe(invalid);
  });
});
