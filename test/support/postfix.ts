/**
 * A real Postfix (Debian's, installed by scripts/ensure-system-deps.mjs) on loopback, for the SMTP
 * tests: `startPostfix(spec)` in beforeAll, `stop()` in afterAll.
 *
 * Postfix is one system-wide daemon with one config dir (/etc/postfix: `postfix -c OTHER` is refused
 * unless main.cf allows it), so test files that use it take turns: startPostfix first takes an
 * exclusive flock(1) on a file in os.tmpdir(), held by a `flock ... cat` child until stop(). The
 * kernel drops the lock when that child dies, and the child dies when our end of its stdin closes,
 * so a crashed test file never leaves the lock held. Taking turns (rather than one shared instance
 * whose spec is the union of every file's) keeps each file's replies, log and error counters its own.
 *
 * What it writes: /etc/postfix/main.cf and master.cf (the originals are copied aside and put back by
 * stop(); a config left by a crashed run is recognised by its first line and replaced), and, in a
 * fresh temp dir, the maps (texthash:, read when a process starts: no postmap step) and the mail log.
 *
 * Settings that keep tests fast and deterministic (override any of them with `spec.main`):
 * - `smtpd_error_sleep_time = 0`: no tarpit delay after rejected commands (Postfix's default 1 s);
 *   `smtpd_soft_error_limit = 10` and `smtpd_hard_error_limit = 20` stay Postfix's defaults, so the
 *   21st error still drops the client, as on a real server.
 * - `smtpd_client_connection_count_limit = 0`, `smtpd_client_connection_rate_limit = 0`,
 *   `smtpd_client_message_rate_limit = 0`, `smtpd_client_recipient_rate_limit = 0` and
 *   `smtpd_client_event_limit_exceptions =` (empty): anvil limits off, so a test's connections are
 *   never refused for load, and no client is exempt when a test turns one on.
 * - `smtpd_peername_lookup = no`: no reverse DNS for 127.0.0.1 (the machine may have no resolver).
 * - smtpd `-o max_use=1`: each connection gets a fresh smtpd, which reads the maps as they are
 *   then; that is what makes setReplies() take effect on the next connection without a reload.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, watch } from 'node:fs';
import { chmod, copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POSTFIX = '/usr/sbin/postfix';
const CONFIG_DIR = '/etc/postfix';
const MARKER = '# Written by listscrub test/support/postfix.ts for a test; the original is restored when the test stops.';
const BACKUP_SUFFIX = '.listscrub-test-backup';
const LOCK_FILE = join(tmpdir(), 'listscrub-postfix.lock');

export interface PostfixSpec {
  /** Loopback addresses, one smtpd listener each, all on `port` (two stand in for two MX hosts). */
  listeners?: string[];
  /** Default 2525. */
  port?: number;
  /** Virtual mailbox domains and the local parts that exist there. */
  domains?: Record<string, string[]>;
  /** Domains that accept any local part (`@domain catchall@domain` in virtual_alias_maps). */
  catchAll?: string[];
  /** Per-recipient replies (check_recipient_access), address -> "450 4.7.1 Greylisted, ...". */
  replies?: Record<string, string>;
  /** main.cf settings added after (so overriding) the defaults above. */
  main?: Record<string, string>;
  /** myhostname, shown in the greeting. Default mx.listscrub.test. */
  hostname?: string;
  /** How long to wait for another test file's Postfix to stop. Default 120 s. */
  lockTimeoutMs?: number;
}

/** One disconnect line: `disconnect from unknown[127.0.0.1]:40000 ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4`. */
export interface Disconnect {
  client: string;
  /** Per command: accepted / sent (Postfix prints `rcpt=2/7`, or `rcpt=2` when all were accepted). */
  commands: Record<string, { accepted: number; sent: number }>;
  line: string;
}

export interface Postfix {
  readonly listeners: ReadonlyArray<{ host: string; port: number }>;
  readonly logFile: string;
  /** Replace the per-recipient replies; a connection opened after this resolves sees them. */
  setReplies(replies: Record<string, string>): Promise<void>;
  /** A position in the log: disconnects({ since }) counts only what came after it. */
  logMark(): Promise<number>;
  /** Wait (by watching the log, up to timeoutMs) until `count` disconnect lines follow `since`. */
  disconnects(options?: { since?: number; count?: number; timeoutMs?: number }): Promise<Disconnect[]>;
  /** The mail log as text (for a failing test's message). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export const DEFAULT_MAIN: Readonly<Record<string, string>> = {
  compatibility_level: '3.6',
  mydomain: 'listscrub.test',
  myorigin: '$myhostname',
  mydestination: '',
  mynetworks: '127.0.0.0/8',
  inet_protocols: 'ipv4',
  biff: 'no',
  alias_maps: '',
  alias_database: '',
  local_recipient_maps: '',
  local_transport: 'error:local delivery is disabled',
  virtual_transport: 'discard:',
  smtpd_banner: '$myhostname ESMTP Postfix (listscrub test)',
  smtpd_relay_restrictions: '',
  smtpd_peername_lookup: 'no',
  smtpd_error_sleep_time: '0',
  smtpd_soft_error_limit: '10',
  smtpd_hard_error_limit: '20',
  smtpd_client_connection_count_limit: '0',
  smtpd_client_connection_rate_limit: '0',
  smtpd_client_message_rate_limit: '0',
  smtpd_client_recipient_rate_limit: '0',
  smtpd_client_event_limit_exceptions: '',
};

/** Start Postfix for one test file. Fails (never skips) when Postfix is missing or will not start. */
export async function startPostfix(spec: PostfixSpec = {}): Promise<Postfix> {
  assertPostfixInstalled();
  const lock = await takeLock(spec.lockTimeoutMs ?? 120_000);
  let started = false;
  let dir: string | undefined;
  try {
    stopLeftover();
    dir = await mkdtemp(join(tmpdir(), 'listscrub-postfix-'));
    await chmod(dir, 0o755); // postlogd and smtpd open files here
    const files = { mailboxes: join(dir, 'virtual-mailboxes'), aliases: join(dir, 'virtual-aliases'), access: join(dir, 'recipient-access'), log: join(dir, 'maillog') };
    const port = spec.port ?? 2525;
    const listeners = (spec.listeners ?? ['127.0.0.2']).map((host) => ({ host, port }));
    await writeMaps(files, spec);
    await writeAtomically(files.access, accessMap(spec.replies ?? {}));
    await installConfig(mainCf(spec, files), masterCf(listeners));
    // `postfix check` says what is wrong in words; start-fg would only exit 1 (no syslog here).
    const check = spawnSync(POSTFIX, ['check'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`postfix check refused the test config: ${check.stderr}${check.stdout}`);
    const child = spawn(POSTFIX, ['start-fg'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const handle = makeHandle(child, { ...files, dir }, listeners, lock);
    try {
      await waitForStart(child, files.log, output);
      for (const listener of listeners) await greet(listener);
      await handle.disconnects({ count: listeners.length }); // the greetings' own sessions
      handle.initialMark = await fileSize(files.log);
    } catch (error) {
      await handle.stop();
      throw error;
    }
    started = true;
    return handle;
  } finally {
    if (!started && lock.exitCode === null) {
      await restoreConfig();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      await releaseLock(lock);
    }
  }
}

function assertPostfixInstalled(): void {
  if (!existsSync(POSTFIX)) {
    throw new Error(`${POSTFIX} is missing: the SMTP tests need Debian's "postfix" package (npm test installs it as root on Debian: node scripts/ensure-system-deps.mjs).`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('the SMTP tests start Postfix (package "postfix"), which needs root: run them as root.');
  }
}

async function takeLock(timeoutMs: number): Promise<ChildProcess> {
  const lock = spawn('flock', ['--exclusive', '--timeout', String(Math.ceil(timeoutMs / 1000)), LOCK_FILE, 'sh', '-c', 'echo locked; exec cat'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  lock.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const locked = new Promise<void>((resolve, reject) => {
    lock.stdout?.once('data', () => resolve());
    lock.once('error', reject);
    lock.once('exit', (code) => reject(new Error(`could not take ${LOCK_FILE} (another test file's Postfix still running after ${timeoutMs} ms?): flock exited ${code} ${stderr}`)));
  });
  await locked;
  return lock;
}

async function releaseLock(lock: ChildProcess): Promise<void> {
  if (lock.exitCode !== null) return;
  const exited = once(lock, 'exit');
  lock.stdin?.end();
  await exited;
}

/** A Postfix left running by a crashed test run (our config in place) is stopped; anyone else's is not ours to touch. */
function stopLeftover(): void {
  const running = spawnSync(POSTFIX, ['status'], { stdio: 'ignore' }).status === 0;
  if (!running) return;
  if (!isOurs(join(CONFIG_DIR, 'main.cf'))) {
    throw new Error('a Postfix not started by these tests is running on this machine; the SMTP tests need /etc/postfix for themselves: stop it (postfix stop) and run them again.');
  }
  spawnSync(POSTFIX, ['stop'], { stdio: 'ignore' });
}

function isOurs(path: string): boolean {
  if (!existsSync(path)) return false;
  const result = spawnSync('head', ['-n', '1', path], { encoding: 'utf8' });
  return result.stdout.trim() === MARKER;
}

async function installConfig(main: string, master: string): Promise<void> {
  for (const name of ['main.cf', 'master.cf']) {
    const path = join(CONFIG_DIR, name);
    // A config of ours means a crashed run: its backup (if any) is still the original.
    if (existsSync(path) && !isOurs(path)) await copyFile(path, path + BACKUP_SUFFIX);
  }
  await writeAtomically(join(CONFIG_DIR, 'main.cf'), main);
  await writeAtomically(join(CONFIG_DIR, 'master.cf'), master);
}

/** Put the originals back; a file that had no original (no main.cf after "No configuration") goes. */
async function restoreConfig(): Promise<void> {
  for (const name of ['main.cf', 'master.cf']) {
    const path = join(CONFIG_DIR, name);
    if (existsSync(path + BACKUP_SUFFIX)) await rename(path + BACKUP_SUFFIX, path);
    else if (isOurs(path)) await rm(path);
  }
}

function mainCf(spec: PostfixSpec, files: Record<'mailboxes' | 'aliases' | 'access' | 'log', string>): string {
  const dir = join(files.log, '..');
  const settings: Record<string, string> = {
    myhostname: spec.hostname ?? 'mx.listscrub.test',
    ...DEFAULT_MAIN,
    // Not the listener addresses: Postfix wants interface addresses there, and `lo` carries only
    // 127.0.0.1 (127.0.0.2 etc. answer on it all the same). The master.cf lines name each address.
    inet_interfaces: 'loopback-only',
    // No syslog here: without a log file Postfix's fatal errors go nowhere (and the file's folder must be an allowed prefix).
    maillog_file: files.log,
    maillog_file_prefixes: `/var, /dev/stdout, ${dir}`,
    virtual_mailbox_domains: [...new Set([...Object.keys(spec.domains ?? {}), ...(spec.catchAll ?? [])])].join(', '),
    virtual_mailbox_maps: `texthash:${files.mailboxes}`,
    virtual_alias_maps: `texthash:${files.aliases}`,
    smtpd_recipient_restrictions: `check_recipient_access texthash:${files.access}, reject_unauth_destination`,
    ...spec.main,
  };
  return `${MARKER}\n${Object.entries(settings).map(([key, value]) => `${key} = ${value}`).join('\n')}\n`;
}

const SERVICES = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

function masterCf(listeners: ReadonlyArray<{ host: string; port: number }>): string {
  const smtpd = listeners.map(({ host, port }) => `${host}:${port} inet n - n - - smtpd -o max_use=1`).join('\n');
  return `${MARKER}\n${smtpd}\n${SERVICES}`;
}

async function writeMaps(files: Record<'mailboxes' | 'aliases', string>, spec: PostfixSpec): Promise<void> {
  const mailboxes: string[] = [];
  for (const [domain, users] of Object.entries(spec.domains ?? {})) for (const user of users) mailboxes.push(`${user}@${domain} ${domain}/${user}/`);
  const aliases: string[] = [];
  for (const domain of spec.catchAll ?? []) {
    mailboxes.push(`catchall@${domain} ${domain}/catchall/`);
    aliases.push(`@${domain} catchall@${domain}`);
  }
  await writeAtomically(files.mailboxes, `${mailboxes.join('\n')}\n`);
  await writeAtomically(files.aliases, `${aliases.join('\n')}\n`);
}

function accessMap(replies: Record<string, string>): string {
  return `${Object.entries(replies).map(([address, reply]) => `${address} ${reply}`).join('\n')}\n`;
}

/** Rename over the old file, so a starting smtpd reads the old map or the new one, never half. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.new`, text, { mode: 0o644 });
  await rename(`${path}.new`, path);
}

async function fileSize(path: string): Promise<number> {
  return existsSync(path) ? (await readFile(path)).length : 0;
}

/**
 * Resolves when `test(text)` holds for the file's text, re-reading on each change event; rejects
 * after timeoutMs with what the file held, or when `failed` rejects first.
 */
async function waitForFile(path: string, test: (text: string) => boolean, timeoutMs: number, what: string, failed?: Promise<never>): Promise<string> {
  const dir = join(path, '..');
  const read = async (): Promise<string> => (existsSync(path) ? readFile(path, 'utf8') : '');
  let watcher: ReturnType<typeof watch> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      new Promise<string>((resolve, reject) => {
        const check = (): void => {
          read().then((text) => test(text) && resolve(text), reject);
        };
        watcher = watch(dir, check);
        check();
        timer = setTimeout(() => {
          void read().then((text) => reject(new Error(`Postfix: no ${what} within ${timeoutMs} ms; ${path} holds:\n${text}`)));
        }, timeoutMs);
      }),
      ...(failed === undefined ? [] : [failed]),
    ]);
  } finally {
    watcher?.close();
    clearTimeout(timer);
  }
}

/** The master logs "daemon started" once its listeners are bound; an early exit is a config error. */
async function waitForStart(child: ChildProcess, log: string, output: string[]): Promise<void> {
  const exited = once(child, 'exit').then(async ([code]) => {
    const check = spawnSync(POSTFIX, ['check'], { encoding: 'utf8' });
    const logText = existsSync(log) ? await readFile(log, 'utf8') : '(no log file)';
    throw new Error(`postfix start-fg exited ${String(code)} before starting: ${output.join('')}\npostfix check: ${check.stderr}${check.stdout}\nlog:\n${logText}`);
  });
  exited.catch(() => undefined); // handled when raced below; later exits are expected (stop)
  await waitForFile(log, (text) => text.includes('daemon started'), 30_000, '"daemon started" line', exited);
}

/** Connect, read the (possibly multi-line) 220 greeting, QUIT. */
async function greet({ host, port }: { host: string; port: number }): Promise<void> {
  const socket = connect({ host, port });
  let text = '';
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (/^220 /m.test(text)) resolve();
        else if (/^[45]\d\d /m.test(text)) reject(new Error(`Postfix on ${host}:${port} greeted with ${text.trim()}`));
      });
    });
    socket.write('QUIT\r\n');
    await once(socket, 'close');
  } finally {
    socket.destroy();
  }
}

/** Reads `disconnect from NAME[ADDR]:PORT cmd=n cmd=a/b ...` lines. */
export function parseDisconnects(text: string): Disconnect[] {
  const found: Disconnect[] = [];
  for (const line of text.split('\n')) {
    const match = /postfix\/smtpd\[\d+\]: disconnect from (\S+?)(?::\d+)? ((?:\w+=\d+(?:\/\d+)? ?)+)$/.exec(line);
    if (match === null) continue;
    const commands: Disconnect['commands'] = {};
    for (const pair of match[2]!.trim().split(' ')) {
      const [name, value] = pair.split('=') as [string, string];
      const [accepted, sent = accepted] = value.split('/').map(Number) as [number, number?];
      commands[name] = { accepted, sent };
    }
    found.push({ client: match[1]!, commands, line });
  }
  return found;
}

interface Handle extends Postfix {
  initialMark: number;
}

function makeHandle(
  child: ChildProcess,
  files: Record<'access' | 'log' | 'dir', string>,
  listeners: Array<{ host: string; port: number }>,
  lock: ChildProcess,
): Handle {
  let stopped = false;
  const handle: Handle = {
    listeners,
    logFile: files.log,
    initialMark: 0,
    setReplies: (replies) => writeAtomically(files.access, accessMap(replies)),
    logMark: () => fileSize(files.log),
    async disconnects({ since = handle.initialMark, count = 0, timeoutMs = 10_000 } = {}) {
      const after = (text: string): Disconnect[] => parseDisconnects(Buffer.from(text).subarray(since).toString());
      const text = await waitForFile(files.log, (t) => after(t).length >= count, timeoutMs, `${count} disconnect line(s)`);
      return after(text);
    },
    log: () => readFile(files.log, 'utf8'),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, 'exit');
          spawnSync(POSTFIX, ['stop'], { stdio: 'ignore' });
          await exited;
        }
      } finally {
        await restoreConfig();
        await rm(files.dir, { recursive: true, force: true });
        await releaseLock(lock);
      }
    },
  };
  return handle;
}
