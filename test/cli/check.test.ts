/**
 * `listscrub check` end to end, and the top-level command line (help, version, unknown command).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { ROOT, run, STACK_LINE } from '../support/spawn.js';

let server: DnsServer;
let liar: DnsServer;
let dns: string[];

beforeAll(async () => {
  const zone = cliZone();
  // Answers late (but well within the timeout): output order must not follow answer order.
  zone['late-answer.com'] = { MX: [{ preference: 10, exchange: 'mx.late-answer.com' }], behavior: 'delay:300' };
  zone['mx.late-answer.com'] = { A: ['93.184.215.40'] };
  [server, liar] = await Promise.all([startDnsServer(zone), startDnsServer(zone, { mode: 'lie' })]);
  dns = ['--dns', server.address];
});
afterAll(async () => {
  await Promise.all([server.close(), liar.close()]);
});

interface VerdictJson {
  input: string;
  address: string | null;
  status: string;
  reason: string;
  detail: string;
  suggestion?: string;
  bounce?: string;
}

const jsonLines = (stdout: string): VerdictJson[] =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as VerdictJson);

describe('listscrub check', () => {
  it('--json prints one verdict per line, in the order given, whatever order DNS answers in', async () => {
    const addresses = [
      'ann@late-answer.com',
      'bob@example.org',
      'paul@oakridge-supplies-defunct.com',
      'gary@parked-brandname.com',
      'ian@txtonly-holdings.com',
      'ray@intranet-relay.com',
      'uma@servfail-broken.net',
      'not an address',
      'info@example.com',
      'x@gnail.com',
    ];
    const result = await run(['check', ...addresses, '--json', ...dns]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const verdicts = jsonLines(result.stdout);
    expect(verdicts.map((v) => v.input)).toEqual(addresses);
    expect(verdicts.map((v) => `${v.status}:${v.reason}`)).toEqual([
      'valid:ok',
      'valid:ok',
      'invalid:domain_not_found',
      'invalid:null_mx',
      'invalid:no_mail_server',
      'invalid:mx_invalid',
      'unknown:dns_error',
      'invalid:syntax',
      'risky:role_account',
      'invalid:domain_not_found',
    ]);
    expect(verdicts[2]).toMatchObject({ address: 'paul@oakridge-supplies-defunct.com', bounce: '5.1.2', detail: 'oakridge-supplies-defunct.com does not exist (NXDOMAIN)' });
    // A typo domain that does not exist: domain_not_found, with the suggestion still attached.
    expect(verdicts[9]).toMatchObject({ reason: 'domain_not_found', suggestion: 'x@gmail.com', bounce: '5.1.2' });
  });

  it('dns_timeout for a domain whose server never answers (short --dns-timeout)', async () => {
    const result = await run(['check', 'tim@slowzone-dns.com', 'ann@example.com', '--json', ...dns, '--dns-timeout', '200', '--dns-retries', '0']);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).map((v) => `${v.input} ${v.status}:${v.reason}`)).toEqual([
      'tim@slowzone-dns.com unknown:dns_timeout',
      'ann@example.com valid:ok',
    ]);
  });

  it('prints a table by default, with the suggestion as a question', async () => {
    const result = await run(['check', 'ann@example.com', 'jane@gmial.com', 'gary@parked-brandname.com', ...dns]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]?.split(/\s{2,}/)).toEqual(['ADDRESS', 'STATUS', 'REASON', 'DETAIL', 'SUGGESTION']);
    expect(lines[1]).toMatch(/^ann@example\.com\s+valid\s+ok\s+/);
    expect(lines[2]).toMatch(/^jane@gmial\.com\s+risky\s+typo_domain\s+.*did you mean jane@gmail\.com\?$/);
    expect(lines[3]).toMatch(/^gary@parked-brandname\.com\s+invalid\s+null_mx\s+/);
    // Columns line up: STATUS starts at the same offset on every line.
    const offsets = lines.map((line) => line.search(/(STATUS|valid|risky|invalid)/));
    expect(new Set(offsets).size).toBe(1);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('"-" reads addresses from stdin, one per line (blank lines skipped, CRLF accepted), between other arguments', async () => {
    const result = await run(['check', 'first@example.com', '-', 'last@example.net', '--json', ...dns], {
      input: 'ann@example.com\r\n\r\n  \nbob@@example.org\ngary@parked-brandname.com',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).map((v) => `${v.input} ${v.reason}`)).toEqual([
      'first@example.com ok',
      'ann@example.com ok',
      'bob@@example.org syntax',
      'gary@parked-brandname.com null_mx',
      'last@example.net ok',
    ]);
  });

  it('"--" ends the options, so an address may start with "-"', async () => {
    const [after, before] = await Promise.all([
      run(['check', '--json', ...dns, '--', '-dash@example.com', '--json']),
      run(['check', '-dash@example.com', ...dns]),
    ]);
    expect(after.code, after.stderr).toBe(0);
    expect(jsonLines(after.stdout).map((v) => `${v.input} ${v.status}`)).toEqual(['-dash@example.com valid', '--json invalid']);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/Unknown option '-d'/);
    expect(before.stderr).not.toMatch(STACK_LINE);
  });

  it("check 'jane@gmial.com' --json --no-dns prints the suggestion jane@gmail.com without any DNS", async () => {
    const result = await run(['check', 'jane@gmial.com', '--json', '--no-dns']);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      {
        input: 'jane@gmial.com',
        address: 'jane@gmial.com',
        status: 'risky',
        reason: 'typo_domain',
        detail: expect.stringMatching(/gmial\.com.*gmail\.com/),
        suggestion: 'jane@gmail.com',
      },
    ]);
  });

  it('exit 3 with a lying resolver: verdicts are unknown, never invalid on DNS grounds', async () => {
    const result = await run(['check', 'paul@oakridge-supplies-defunct.com', 'ann@example.com', 'bad@@example.com', '--json', '--dns', liar.address]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^listscrub: DNS is unhealthy: .*NXDOMAIN/);
    expect(jsonLines(result.stdout).map((v) => `${v.status}:${v.reason}`)).toEqual(['unknown:dns_unavailable', 'unknown:dns_unavailable', 'invalid:syntax']);
  });

  it('LISTSCRUB_DNS names the resolver when --dns is not given', async () => {
    const result = await run(['check', 'gary@parked-brandname.com', '--json'], { env: { LISTSCRUB_DNS: server.address } });
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)[0]?.reason).toBe('null_mx');
  });

  it('exit 2 with no address, or with a bad flag value', async () => {
    const [none, badTimeout] = await Promise.all([run(['check', ...dns]), run(['check', 'a@example.com', '--dns-timeout', '0'])]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/check needs at least one address/);
    expect(none.stderr).toMatch(/listscrub check --help/);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toMatch(/--dns-timeout takes a whole number of at least 1; got "0"/);
    for (const result of [none, badTimeout]) {
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toMatch(STACK_LINE);
    }
  });
});

describe('listscrub (top level)', () => {
  it('--help, clean --help and check --help print usage on stdout with exit 0', async () => {
    const [main, clean, check] = await Promise.all([run(['--help']), run(['clean', '--help']), run(['check', '-h'])]);
    for (const result of [main, clean, check]) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
    expect(main.stdout).toMatch(/^Usage: listscrub <command> \[options\]/);
    for (const command of ['clean', 'check', 'history', 'schedule']) expect(main.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(clean.stdout).toMatch(/^Usage: listscrub clean \[options\] <list\.csv \| ->/);
    for (const flag of ['--column', '--no-header', '--delimiter', '--encoding', '--drop', '--annotate', '--normalize', '--json', '--summary', '--max-invalid-rate', '--dns ', '--no-dns', '--dns-timeout']) {
      expect(clean.stdout, flag).toContain(flag);
    }
    expect(clean.stdout).toMatch(/Exit codes: 0 done; 1 runtime failure; 2 usage error; 3 /);
    expect(check.stdout).toMatch(/^Usage: listscrub check \[options\] <address\.\.\.>/);
  });

  it('an unknown command is exit 2 with the usage on stderr; no command at all is exit 2, usage on stderr', async () => {
    const [unknown, nothing] = await Promise.all([run(['frobnicate', 'x']), run([])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^listscrub: unknown command "frobnicate"\./);
    expect(unknown.stderr).toMatch(/Usage: listscrub <command>/);
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toBe('');
    expect(nothing.stderr).toMatch(/^Usage: listscrub <command>/);
  });

  it('--version prints the package version', async () => {
    const result = await run(['--version']);
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});
