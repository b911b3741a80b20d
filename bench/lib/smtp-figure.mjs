// Figure 7 of the bench: the SMTP stage (`clean --smtp`) against local mail servers with a reply
// delay per command (lib/smtp-child.mjs), MX hosts on loopback served by the bench DNS server.
// See bench/README.md, "7. The SMTP stage".
import { spawn, fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dnsChildHandle } from './dns-ipc.mjs';
import { prng } from './generate.mjs';
import { CANARY_ZONE } from './zone.mjs';

const now = () => performance.timeOrigin + performance.now();

/** The MX hosts' loopback addresses: clear of the test harnesses' (Postfix 127.0.0.2-3, scripts .11 on). */
const HOSTS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];
const WORDS = ['northwind', 'contoso', 'fabrikam', 'tailspin', 'adventure', 'wingtip', 'litware', 'proseware', 'lucerne', 'margie', 'alpine', 'fourth', 'trey', 'coho', 'humongous'];
const FIRST = ['jane', 'john', 'maria', 'li', 'ahmed', 'olga', 'pierre', 'sam', 'kim', 'noah'];
const LAST = ['doe', 'smith', 'garcia', 'wang', 'khan', 'ivanova', 'martin', 'lee', 'park', 'brown'];

/**
 * The list: `groups` providers (one MX host each, so one provider group each) hosting
 * `domainsPerGroup` company domains, `perDomain` people per domain, rows interleaved across the
 * domains as an export sorted by sign-up date would be. A seeded `unknownShare` of the addresses do
 * not exist at the server. Returns the CSV, its zone (canaries included) and the unknown addresses.
 */
export function makeSmtpList({ groups = 3, domainsPerGroup = 5, perDomain = 20, unknownShare = 0.1, seed = 1 } = {}) {
  const random = prng(seed);
  const providers = HOSTS.slice(0, groups).map((ip, g) => ({ ip, host: `mx.mailhost-${'abc'[g]}.net` }));
  const zone = { ...CANARY_ZONE };
  for (const p of providers) zone[p.host] = { A: [p.ip] };
  const domains = [];
  for (let d = 0; d < groups * domainsPerGroup; d++) {
    const name = `${WORDS[d % WORDS.length]}-${Math.floor(d / WORDS.length) + 1}.com`;
    zone[name] = { MX: [{ preference: 10, exchange: providers[d % groups].host }] };
    domains.push(name);
  }
  const lines = ['id,email,first_name,last_name,created_at'];
  const unknown = [];
  for (let i = 0; i < perDomain; i++) {
    for (const domain of domains) {
      const first = FIRST[Math.floor(random() * FIRST.length)];
      const last = LAST[Math.floor(random() * LAST.length)];
      const email = `${first}.${last}${i + 1}@${domain}`;
      if (random() < unknownShare) unknown.push(email);
      const day = String(1 + (lines.length % 28)).padStart(2, '0');
      lines.push(`${lines.length},${email},${first},${last},2025-03-${day}`);
    }
  }
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1, zone, unknown, hosts: providers.map((p) => p.ip), groups, domains: domains.length, perDomain };
}

export async function startSmtpServers(configPath) {
  const child = fork(join(import.meta.dirname, 'smtp-child.mjs'), [configPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const handle = await dnsChildHandle(child);
  return { ...handle, port: Number(handle.address.split(':').pop()) };
}

/**
 * One `clean` run as a user pipes it: `-o -`, the job file giving the SMTP settings, the DNS server
 * and --allow-loopback on the command line. Returns when the process exits: the spawn time, when
 * the first data row (the second line, after the header) came through the pipe, the exit code.
 */
export async function pipedClean(cli, args) {
  const spawnedAt = now();
  const child = spawn(process.execPath, [cli, 'clean', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let firstRowAt = null;
  let lines = 0;
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) if (++lines === 2) firstRowAt ??= now();
  });
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { spawnedAt, firstRowAt, exitedAt: now(), lines, code, stderr };
}

/** The server's view of one run: probes in time, connections, the port-25 check's end. */
export function serverView(connections) {
  const rcpts = connections.flatMap((c) => c.commands.filter((x) => x.verb === 'RCPT').map((x) => x.at)).sort((a, b) => a - b);
  // The port-25 check greets and quits: a connection with no EHLO/HELO. It ends with the last 221.
  const checks = connections.filter((c) => !c.commands.some((x) => x.verb === 'EHLO' || x.verb === 'HELO'));
  const checkEnd = Math.max(...checks.flatMap((c) => c.commands.filter((x) => x.verb === 'QUIT').map((x) => x.repliedAt ?? x.at)));
  return {
    rcpts,
    connections: connections.length,
    checkConnections: checks.length,
    checkStartAt: checks.length === 0 ? null : Math.min(...checks.map((c) => c.openedAt)),
    checkEndAt: Number.isFinite(checkEnd) ? checkEnd : null,
    mostOpenPerHost: mostOpen(connections),
    data: connections.reduce((n, c) => n + c.commands.filter((x) => x.verb === 'DATA' || x.verb === 'VRFY').length, 0),
  };
}

/** The most connections any one host had open at once (opened .. its QUIT reply). */
function mostOpen(connections) {
  const most = {};
  for (const host of new Set(connections.map((c) => c.host))) {
    const events = connections
      .filter((c) => c.host === host)
      .flatMap((c) => [
        [c.openedAt, 1],
        [c.commands.at(-1)?.repliedAt ?? c.commands.at(-1)?.at ?? c.openedAt, -1],
      ])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    most[host] = 0;
    for (const [, step] of events) most[host] = Math.max(most[host], (open += step));
  }
  return most;
}

/**
 * Probes per second in the steady state: the RCPTs between the 10th and the 90th percentile of
 * the run (start-up and the tail left out) over the time between them; and the most RCPTs that
 * fell in any one-second window (the limit's own bound is limit/s, +1 for a window's two edges).
 */
export function probeRate(rcpts) {
  const a = Math.floor(rcpts.length * 0.1);
  const b = Math.ceil(rcpts.length * 0.9) - 1;
  const steady = b > a ? (b - a) / ((rcpts[b] - rcpts[a]) / 1000) : null;
  let most = 0;
  for (let i = 0, j = 0; i < rcpts.length; i++) {
    while (rcpts[i] - rcpts[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  const whole = rcpts.length > 1 ? (rcpts.length - 1) / ((rcpts.at(-1) - rcpts[0]) / 1000) : null;
  return { steady, whole, mostInOneSecond: most };
}

/** Write the list, its zone and the servers' config under `dir`; the job file for `port` and `probesPerMinute`. */
export function writeSmtpInputs(dir, list, { delayMs, probesPerMinute }) {
  const listPath = join(dir, 'smtp-list.csv');
  writeFileSync(listPath, list.csv);
  const serverConfig = join(dir, 'smtp-servers.json');
  writeFileSync(serverConfig, JSON.stringify({ hosts: list.hosts, delayMs, unknown: list.unknown }));
  const jobFile = (port) => {
    const path = join(dir, 'smtp-job.json');
    const smtp = { helo: 'probe.listscrub-bench.org', from: 'verify@listscrub-bench.org', port, maxWaitSeconds: 0, limits: { probesPerMinute } };
    writeFileSync(path, JSON.stringify({ smtp }, null, 2));
    return path;
  };
  return { listPath, serverConfig, jobFile, readSummary: (path) => JSON.parse(readFileSync(path, 'utf8')) };
}

/**
 * Figure 7: `runs` piped `clean` runs over the generated list (job file: probesPerMinute), each
 * measured at the servers. Returns the figure's record and its table rows [figure, value, target, verdict].
 */
export async function smtpFigure({ runs, seed, delayMs, probesPerMinute, dataDir, cli, startDns, helpers }) {
  const { median, fmt, check, log } = helpers;
  const list = makeSmtpList({ seed });
  const inputs = writeSmtpInputs(dataDir, list, { delayMs, probesPerMinute });
  const mail = await startSmtpServers(inputs.serverConfig);
  const dns = await startDns(list.zone, 'smtp');
  const job = inputs.jobFile(mail.port);
  const summaryPath = join(dataDir, 'smtp.summary.json');
  const measured = [];
  try {
    for (let i = 0; i < runs; i++) {
      await mail.reset();
      await dns.reset();
      const args = [inputs.listPath, '--config', job, '--dns', dns.address, '--allow-loopback', '-o', '-', '-r', join(dataDir, 'smtp.report.csv'), '--summary', summaryPath, '-q', '--no-lock'];
      const r = await pipedClean(cli, args);
      if (r.code !== 0) throw new Error(`listscrub clean --smtp exited ${r.code}: ${r.stderr}`);
      const summary = inputs.readSummary(summaryPath);
      const server = serverView((await mail.stats()).connections);
      const rate = probeRate(server.rcpts);
      const asked = await dns.stats();
      const run = {
        probesPerSecond: rate.steady,
        wholeRunProbesPerSecond: rate.whole,
        mostProbesInOneSecond: rate.mostInOneSecond,
        rcpts: server.rcpts.length,
        connections: server.connections,
        portCheckConnections: server.checkConnections,
        connectionsPerAddress: server.connections / list.rows,
        mostOpenPerHost: server.mostOpenPerHost,
        dataOrVrfy: server.data,
        firstRowMs: r.firstRowAt === null ? null : r.firstRowAt - r.spawnedAt,
        portCheckStartMs: server.checkStartAt === null ? null : server.checkStartAt - r.spawnedAt,
        portCheckDoneMs: server.checkEndAt === null ? null : server.checkEndAt - r.spawnedAt,
        firstProbeMs: server.rcpts.length === 0 ? null : server.rcpts[0] - r.spawnedAt,
        totalMs: r.exitedAt - r.spawnedAt,
        rowsOut: r.lines - 1,
        dnsQuestions: asked.queries,
        dnsRepeatedQuestions: asked.repeatedQuestions,
        summary: { rows: summary.rows, kept: summary.kept, removed: summary.removed, statuses: summary.statuses, smtp: summary.smtp },
      };
      run.firstRowAfterCheckMs = run.firstRowMs === null || run.portCheckDoneMs === null ? null : run.firstRowMs - run.portCheckDoneMs;
      measured.push(run);
      log(`smtp run ${i + 1}: ${run.rcpts} RCPTs, ${run.probesPerSecond?.toFixed(2)}/s steady, ${run.connections} connections, first row ${Math.round(run.firstRowMs)} ms (port-25 check ${Math.round(run.portCheckStartMs)}..${Math.round(run.portCheckDoneMs)} ms, first RCPT ${Math.round(run.firstProbeMs)} ms), all ${Math.round(run.totalMs)} ms`);
    }
  } finally {
    await mail.close();
    await dns.close();
  }
  const limitPerSecond = probesPerMinute / 60;
  const rate = median(measured.map((m) => m.probesPerSecond));
  const perAddress = median(measured.map((m) => m.connectionsPerAddress));
  const firstRow = median(measured.map((m) => m.firstRowMs));
  const afterCheck = median(measured.map((m) => m.firstRowAfterCheckMs));
  const checkDone = median(measured.map((m) => m.portCheckDoneMs));
  // Row 1 after the port-25 check: connect, greeting, EHLO, MAIL/RCPT/RSET, then the domain's
  // catch-all probe (MAIL/RCPT/RSET) before its verdict is known: 8 replies.
  const conversationMs = 8 * delayMs;
  const firstRowTargetMs = 1000;
  const figure = {
    list: { rows: list.rows, domains: list.domains, providerGroups: list.groups, addressesPerDomain: list.perDomain, unknownAtServer: list.unknown.length },
    delayMsPerCommand: delayMs,
    probesPerMinute,
    probesPerSecond: rate && Number(rate.toFixed(3)),
    rateRatio: rate && Number((rate / limitPerSecond).toFixed(3)),
    connectionsPerAddress: Number(perAddress.toFixed(3)),
    firstRowMs: Math.round(firstRow),
    portCheckDoneMs: Math.round(checkDone),
    firstRowAfterCheckMs: Math.round(afterCheck),
    firstRowConversationMs: conversationMs,
    firstRowAfterCheckTargetMs: firstRowTargetMs,
    runs: measured.map((m) => ({ ...m, probesPerSecond: m.probesPerSecond && Number(m.probesPerSecond.toFixed(3)), wholeRunProbesPerSecond: m.wholeRunProbesPerSecond && Number(m.wholeRunProbesPerSecond.toFixed(3)), connectionsPerAddress: Number(m.connectionsPerAddress.toFixed(3)), firstRowMs: Math.round(m.firstRowMs), portCheckDoneMs: Math.round(m.portCheckDoneMs), firstRowAfterCheckMs: Math.round(m.firstRowAfterCheckMs), totalMs: Math.round(m.totalMs) })),
  };
  const midFirst = [...measured].sort((a, b) => a.firstRowMs - b.firstRowMs)[measured.length >> 1];
  const mid = [...measured].sort((a, b) => a.probesPerSecond - b.probesPerSecond)[measured.length >> 1];
  const shape = `${fmt(list.rows)} addresses, ${list.domains} domains, ${list.groups} provider groups, ${delayMs} ms/reply`;
  const rows = [
    [
      `7a. SMTP probes/s at the servers, steady state (probesPerMinute ${probesPerMinute} = ${fmt(limitPerSecond, 1)}/s; ${shape})`,
      `${fmt(rate, 2)}/s = ${fmt(rate / limitPerSecond, 3)} x the limit (whole run ${fmt(mid.wholeRunProbesPerSecond, 2)}/s; at most ${mid.mostProbesInOneSecond} RCPTs in any 1 s)`,
      `within 10% of ${fmt(limitPerSecond, 1)}/s`,
      check(Math.abs(rate / limitPerSecond - 1) <= 0.1),
    ],
    [
      `7b. SMTP connections opened per address (${list.perDomain} per domain), at the servers`,
      `${fmt(perAddress, 3)} (${mid.connections} connections, ${mid.portCheckConnections} of them the port-25 check, / ${fmt(list.rows)} addresses; most open at once per host ${Math.max(...Object.values(mid.mostOpenPerHost))})`,
      '<= 0.1',
      check(perAddress <= 0.1),
    ],
    [
      '7c. Time to the first output row with --smtp (-o - through a pipe)',
      `${fmt(midFirst.firstRowMs)} ms from process start, ${fmt(midFirst.firstRowAfterCheckMs)} ms after the port-25 check (done at ${fmt(midFirst.portCheckDoneMs)} ms) in the median run; after the check in each run: ${measured.map((m) => fmt(m.firstRowAfterCheckMs)).join(', ')} ms; row 1's own conversation ${conversationMs} ms`,
      `<= ${fmt(firstRowTargetMs)} ms after the check`,
      check(afterCheck <= firstRowTargetMs),
    ],
    [
      '7d. DNS questions at the server during a --smtp run',
      `${fmt(mid.dnsQuestions)}, ${fmt(mid.dnsRepeatedQuestions)} of them repeats of an earlier question${mid.dnsRepeatedQuestions > list.domains ? " (the mailbox stage asks each address's MX list again: DomainChecker.mailHosts)" : ''}`,
      'report',
      '-',
    ],
  ];
  return { figure, rows };
}
