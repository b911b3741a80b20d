/**
 * Typo detection for domains: a misspelt TLD (`.con`), or a name one or two edits away from a major
 * provider (`gmial.com`). Pure and deterministic.
 */
import { COM_SLIPS, LEGIT_NEAR_PROVIDERS, MAJOR_PROVIDERS, SECOND_LEVEL, SECOND_LEVEL_SLIPS, TLD_TYPOS } from './lists.js';

/**
 * Optimal-string-alignment Damerau–Levenshtein distance (insert, delete, substitute, swap two
 * adjacent characters), giving up early once the distance exceeds `max` (returns max + 1).
 */
export function damerauLevenshtein(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

interface Provider {
  domain: string;
  /** First label (`gmail`). */
  name: string;
  /** Everything after the first label (`com`, `co.uk`). */
  suffix: string;
}

const PROVIDERS: readonly Provider[] = MAJOR_PROVIDERS.map((domain) => {
  const dot = domain.indexOf('.');
  return { domain, name: domain.slice(0, dot), suffix: domain.slice(dot + 1) };
});

/** Domains never reported as typos. */
export const LEGIT_DOMAINS: ReadonlySet<string> = new Set([...MAJOR_PROVIDERS, ...LEGIT_NEAR_PROVIDERS]);

/**
 * How many edits of the provider's name still count as a typo. Short names get none: `me`, `aol`,
 * `live` are one edit from many real domains (`mi.com`, `aal.com`, `life.com`). Two edits only from
 * nine letters up: with 7-8 letters they reached real domains (`foodmail.com` from foxmail.com,
 * `hd-mail.com` from hotmail.com) and found no more typos in the labelled set (test/typos).
 */
function nameBudget(name: string): number {
  if (name.length >= 9) return 2;
  if (name.length >= 5) return 1;
  return 0;
}

/**
 * Whether `typed` may be a slip of `name`: the first character must survive (or be swapped with the
 * second), since dropping or changing the first letter more often names a different real domain
 * (`mail.com`, `cloud.com`, `wahoo.com`).
 */
function sameStart(typed: string, name: string): boolean {
  if (typed[0] === name[0]) return true;
  return typed[0] === name[1] && typed[1] === name[0];
}

/**
 * The domain with a misspelt, non-existent TLD repaired (`example.con` -> `example.com`), a TLD typed
 * twice without its dot (`gmail.comcom`), or a slip in a country's second-level label
 * (`yahoo.con.uk` -> `yahoo.co.uk`); otherwise itself.
 */
function fixTld(domain: string, isRealTld: (tld: string) => boolean): string {
  const dot = domain.lastIndexOf('.');
  if (dot <= 0) return domain;
  const tld = domain.slice(dot + 1);
  if (isRealTld(tld)) return fixSecondLevel(domain, dot);
  const half = tld.slice(0, tld.length / 2);
  if (tld.length % 2 === 0 && half.repeat(2) === tld && isRealTld(half)) return domain.slice(0, dot + 1) + half;
  const fixed = TLD_TYPOS[tld];
  return fixed === undefined ? domain : domain.slice(0, dot + 1) + fixed;
}

function fixSecondLevel(domain: string, dot: number): string {
  const expected = SECOND_LEVEL[domain.slice(dot + 1)];
  const before = domain.lastIndexOf('.', dot - 1);
  if (expected === undefined || before <= 0) return domain;
  const label = domain.slice(before + 1, dot);
  return SECOND_LEVEL_SLIPS[expected].has(label) ? `${domain.slice(0, before + 1)}${expected}${domain.slice(dot)}` : domain;
}

/** Labels typed after a complete provider domain: `gmail.com.com`, `yahoo.fr.fr`, `web.de.com`. */
const TRAILING_EXTRA = new Set(['com', 'net', 'org', 'co', 'con']);

/** The provider domain a doubled or appended TLD hides (`gmail.com.com` -> `gmail.com`), if any. */
function stripExtraTld(domain: string, isRealTld: (tld: string) => boolean): string | undefined {
  const dot = domain.lastIndexOf('.');
  const head = domain.slice(0, dot);
  const extra = domain.slice(dot + 1);
  if (!head.includes('.') || !(TRAILING_EXTRA.has(extra) || head.endsWith(`.${extra}`))) return undefined;
  if (LEGIT_DOMAINS.has(head)) return head;
  const meant = suggestDomain(head, isRealTld);
  return meant !== undefined && MAJOR_PROVIDERS.includes(meant) ? meant : undefined;
}

function sameCountry(a: string, b: string): boolean {
  return a.slice(a.lastIndexOf('.')) === b.slice(b.lastIndexOf('.'));
}

/**
 * The domain this one most likely meant, or undefined. `domain` is lower-case ASCII (it need not be
 * syntactically valid: `gmail.con` gives `gmail.com`). Legitimate provider domains give undefined.
 */
export function suggestDomain(domain: string, isRealTld: (tld: string) => boolean): string | undefined {
  if (domain.length === 0 || domain.length > 253 || LEGIT_DOMAINS.has(domain)) return undefined;

  // A dotless provider name with its TLD glued on: `gmailcom` -> `gmail.com`.
  if (!domain.includes('.')) {
    for (const p of PROVIDERS) if (p.name + p.suffix.replace(/\./g, '') === domain) return p.domain;
    return undefined;
  }

  const extra = stripExtraTld(domain, isRealTld);
  if (extra !== undefined) return extra;
  const fixed = fixTld(domain, isRealTld);
  if (LEGIT_DOMAINS.has(fixed)) return fixed;
  const dot = fixed.indexOf('.');
  const name = fixed.slice(0, dot);
  const suffix = fixed.slice(dot + 1);

  let best: string | undefined;
  let bestCost = Number.MAX_SAFE_INTEGER;
  for (const p of PROVIDERS) {
    let cost: number;
    if (name === p.name) {
      // Same provider name, wrong suffix: a real TLD slip after a `.com` provider (`gmail.co`),
      // or a non-existent TLD one edit from the provider's (`hotmail.cmo` was fixed above; `gmail.cpn`).
      if (p.suffix === 'com' && COM_SLIPS.has(suffix)) cost = 1;
      else if (!isRealTld(suffix.slice(suffix.lastIndexOf('.') + 1)) && damerauLevenshtein(suffix, p.suffix, 1) <= 1) {
        cost = 1;
      } else if (p.suffix.includes('.') && sameCountry(suffix, p.suffix) && damerauLevenshtein(suffix, p.suffix, 1) <= 1) {
        // A slip in the second level of a country form: `yahoo.cp.jp`, `hotmail.com.uk`.
        cost = 1;
      } else continue;
    } else if (suffix === p.suffix) {
      const budget = nameBudget(p.name);
      if (budget === 0 || !sameStart(name, p.name)) continue;
      cost = damerauLevenshtein(name, p.name, budget);
      if (cost > budget) continue;
    } else {
      continue;
    }
    if (cost < bestCost) {
      bestCost = cost;
      best = p.domain;
    }
  }
  if (best !== undefined) return best;
  return fixed !== domain ? fixed : undefined;
}
