/**
 * Shared by the `--smtp` end-to-end tests (test/smtp-e2e): the identities and flags a run needs, a
 * job file writer, and the per-address view of a result file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRecords } from './cli.js';
import type { SummaryJson } from './spawn.js';

export const HELO = 'probe.listscrub-tests.org';
export const FROM = 'verify@listscrub-tests.org';

/** `--smtp` with our identities on `port`, and loopback MX hosts allowed. */
export function smtpFlags(port: number): string[] {
  return ['--smtp', '--smtp-helo', HELO, '--smtp-from', FROM, '--smtp-port', String(port), '--allow-loopback'];
}

/** Write `list.csv` (id,email; ids from 1) into dir. */
export async function writeList(dir: string, emails: string[], name = 'list.csv'): Promise<void> {
  await writeFile(join(dir, name), `id,email\r\n${emails.map((email, i) => `${i + 1},${email}`).join('\r\n')}\r\n`);
}

/** Write a job file holding `smtp` (our identities plus `extra`), e.g. short timeouts or faster limits. */
export async function writeSmtpJob(dir: string, port: number, extra: Record<string, unknown>, name = 'job.json'): Promise<string> {
  await writeFile(join(dir, name), JSON.stringify({ smtp: { helo: HELO, from: FROM, port, ...extra } }));
  return name;
}

/** email -> "status:reason:smtp reason" from a result file. */
export async function verdictsByEmail(path: string): Promise<Record<string, string>> {
  const rows = await csvRecords(path);
  return Object.fromEntries(rows.map((r) => [r.email, `${r.email_status}:${r.email_reason}:${r.email_smtp_reason}`]));
}

export async function readSummary(path: string): Promise<SummaryJson> {
  return JSON.parse(await readFile(path, 'utf8')) as SummaryJson;
}
