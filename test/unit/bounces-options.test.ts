/** The bounce options as the three entry points take them: flags, job-file keys, library options. */
import { describe, expect, it } from 'vitest';
import { parseSince, validateBounceOptions } from '../../src/bounces/load.js';
import { gatherBounceFiles } from '../../src/cli/bounces.js';
import { validateJobConfig } from '../../src/jobs/config.js';

describe('--bounces FILE...', () => {
  it('takes every argument up to the next option, as a shell glob gives them', () => {
    expect(gatherBounceFiles(['list.csv', '--bounces', 'a.log', 'b.json', '-o', 'out.csv'])).toEqual(['list.csv', '--bounces=a.log', '--bounces=b.json', '-o', 'out.csv']);
    expect(gatherBounceFiles(['list.csv', '--bounces=a.log', '--json'])).toEqual(['list.csv', '--bounces=a.log', '--json']);
    expect(gatherBounceFiles(['--', '--bounces', 'x'])).toEqual(['--', '--bounces', 'x']);
    expect(() => gatherBounceFiles(['list.csv', '--bounces', '--json'])).toThrow('--bounces needs at least one bounce file.');
  });
});

describe('job file keys', () => {
  it('resolves bounce paths against the job file and checks every key', () => {
    const job = validateJobConfig({ bounces: ['logs/mail.log', '/var/log/mail.log.1'], bouncesSince: '90d', bounceFormat: 'postfix', bounceMinEvents: 3, bounceStorm: 50, maxBounceShare: 0.05 }, 'job.json', { baseDir: '/srv/job' });
    expect(job).toEqual({ bounces: ['/srv/job/logs/mail.log', '/var/log/mail.log.1'], bouncesSince: '90d', bounceFormat: 'postfix', bounceMinEvents: 3, bounceStorm: 50, maxBounceShare: 0.05 });
    expect(() => validateJobConfig({ bounces: 'mail.log' }, 'job.json')).toThrow('job.json: "bounces" must be a list of non-empty strings; got "mail.log"');
    expect(() => validateJobConfig({ bouncesSince: '3 months' }, 'job.json')).toThrow(/"bouncesSince" must be a span like "90d"/);
    expect(() => validateJobConfig({ maxBounceShare: 2 }, 'job.json')).toThrow('"maxBounceShare" must be a number from 0 to 1; got 2');
    expect(() => validateJobConfig({ bounceMinEvent: 2 }, 'job.json')).toThrow('(did you mean "bounceMinEvents"?)');
  });
});

describe('library options', () => {
  it('are checked up front with E_OPTION', () => {
    expect(() => validateBounceOptions({ bounces: ['a.log', ''] })).toThrow('Option "bounces" must be a list of file paths; got a list.');
    expect(() => validateBounceOptions({ bounceMinEvents: 0 })).toThrow('Option "bounceMinEvents" must be a whole number of 1 or more; got 0.');
    expect(() => validateBounceOptions({ maxBounceShare: -0.1 })).toThrow('Option "maxBounceShare" must be a number from 0 to 1; got -0.1.');
    expect(() => validateBounceOptions({ bounceFormat: 'xml' as never })).toThrow('The bounce format must be one of postfix, dsn, json, csv; got "xml".');
    expect(() => validateBounceOptions({ bouncesSince: 'soon' })).toThrow(/takes a span like 90d/);
    expect(() => validateBounceOptions({ bounces: ['a.log'], bouncesSince: '12w', maxBounceShare: 0 })).not.toThrow();
  });

  it('--bounces-since: spans back from now, or a date', () => {
    const now = Date.UTC(2026, 10, 30);
    expect(parseSince('90d', now)).toBe(now - 90 * 86_400_000);
    expect(parseSince('12w', now)).toBe(now - 84 * 86_400_000);
    expect(parseSince('48h', now)).toBe(now - 48 * 3_600_000);
    expect(parseSince('2026-05-01', now)).toBe(Date.UTC(2026, 4, 1));
  });
});
