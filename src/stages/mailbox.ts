/**
 * The mailbox stage: does the receiving server accept this address (SMTP RCPT TO, src/smtp)? Only
 * for addresses whose domain DNS found deliverable; every other finding passes through unchanged.
 * Before the first probe, port 25 is tried on up to three providers of the list: when none answers
 * (most cloud and home networks block it), the stage stands down and no verdict changes.
 */
import type { DomainChecker, MailHost } from '../dns/index.js';
import { applyMailboxOutcome, checkSmtpIdentity, groupOf, type MailboxChecker } from '../smtp/index.js';
import { REASONS } from '../verdict.js';
import type { Finding, Stage } from './types.js';

/** How long the port-25 check waits for a third provider before it starts with the ones it has. */
const REACHABILITY_GATHER_MS = 1000;
const REACHABILITY_PROVIDERS = 3;

export function mailboxStage(domains: DomainChecker, checker: MailboxChecker): Stage {
  const reachability = reachabilityGate(checker);
  return {
    name: 'mailbox',
    check(found: Finding): Finding | Promise<Finding> {
      if (!needsProbe(found)) return found;
      return probe(found, domains, checker, reachability);
    },
    close: () => {
      reachability.cancel();
      return checker.close();
    },
  };
}

/** Only an address DNS found deliverable: valid, or risky for an offline finding of its own. */
function needsProbe({ verdict, domain }: Finding): boolean {
  if (domain === null || verdict.address === null) return false;
  if (verdict.status !== 'valid' && verdict.status !== 'risky') return false;
  // Risky with a DNS reason that could not be checked: the domain is not known to receive mail.
  return verdict.alsoFound === undefined || REASONS[verdict.alsoFound].status !== 'unknown';
}

async function probe(found: Finding, domains: DomainChecker, checker: MailboxChecker, reachability: ReachabilityGate): Promise<Finding> {
  const { verdict, domain } = found;
  // The DNS checker keeps each domain's MX list for the run (keepMailHosts): no query per address.
  const hosts = await domains.mailHosts(domain as string);
  // Port 25 closed on our side: the stage stands down, every DNS verdict stays as it was.
  if (!(await reachability.wait(hosts))) return found;
  const outcome = await checker.check(verdict.address as string, domain as string, hosts);
  return { verdict: applyMailboxOutcome(verdict, outcome), domain };
}

interface ReachabilityGate {
  /** Resolves true once one server answered on port 25, false when none of the first providers did. */
  wait(hosts: readonly MailHost[]): Promise<boolean>;
  cancel(): void;
}

/**
 * The port-25 check, once per run, on the first providers the list names: it starts when three
 * distinct provider groups have been seen, or REACHABILITY_GATHER_MS after the first one (a list
 * may have fewer), so no row waits on rows that are not coming.
 */
function reachabilityGate(checker: MailboxChecker): ReachabilityGate {
  const candidates = new Map<string, MailHost[]>();
  let result: Promise<boolean> | undefined;
  let start: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    wait(hosts) {
      const first = hosts[0];
      // Gathering: until the check starts (start is set from the first call until then).
      const gathering = result === undefined || start !== undefined;
      if (first !== undefined && gathering && !candidates.has(groupOf(first.host))) candidates.set(groupOf(first.host), [...hosts]);
      if (result === undefined) {
        result = new Promise<boolean>((resolve) => {
          start = () => {
            start = undefined;
            clearTimeout(timer);
            checker.probeReachability([...candidates.values()]).then(({ reachable }) => resolve(reachable), () => resolve(false));
          };
        });
        timer = setTimeout(() => start?.(), REACHABILITY_GATHER_MS);
      }
      if (candidates.size >= REACHABILITY_PROVIDERS) start?.();
      return result;
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}

/**
 * Warnings about the HELO name, asked through the run's own resolver: a name with no A/AAAA record
 * costs replies. A lookup that fails, or a resolver the health check distrusts (a lying one answers
 * NXDOMAIN for everything), says nothing: no warning we cannot stand behind.
 */
export async function smtpIdentityWarnings(domains: DomainChecker, helo: string): Promise<string[]> {
  const addresses = async (name: string): Promise<string[]> => {
    const found: string[] = [];
    for (const type of ['A', 'AAAA'] as const) {
      const answer = await domains.query(name, type);
      if (answer.kind === 'ok') found.push(...answer.records.map((record) => record.address));
      else if (answer.kind !== 'nodata' && answer.kind !== 'nxdomain') throw new Error(`DNS ${answer.kind}`);
    }
    return found;
  };
  let found: string[];
  try {
    found = await addresses(helo);
  } catch {
    return [];
  }
  if (!domains.health().healthy) return [];
  return checkSmtpIdentity({ helo }, async () => found);
}
