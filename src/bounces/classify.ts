/**
 * The classifier: one raw event in, its class, rule and provider out. Pure and synchronous; the
 * table it applies lives in rules.ts.
 */
import { PROVIDER_RULES, RULES, type BounceRule, type ProviderRule } from './rules.js';
import type { BounceEvent, RawBounce } from './types.js';

/** "550-5.1.1 ", "550 5.1.1 ", "550 " or "5.1.1 " at the start of a reply. */
const HEAD = /^([245]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$))?(?=[\s-]|$)|^([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/;

/**
 * Join a multi-line SMTP reply as MTAs log it ("550-5.1.1 The email ... 550-5.1.1 double-checking
 * ... 550 5.1.1 https://..."): the codes repeated on every continuation line are dropped, so the
 * text rules see one sentence. Returns that text and the codes of the first line.
 */
export function parseReply(reply: string): { text: string; basic?: string; enhanced?: string } {
  const flat = reply.replace(/\s+/g, ' ').trim();
  const head = HEAD.exec(flat);
  if (head === null) return { text: flat };
  const basic = head[1];
  const enhanced = head[2] ?? head[3];
  if (basic === undefined) return { text: flat, ...(enhanced === undefined ? {} : { enhanced }) };
  const codes = enhanced === undefined ? '' : `(?:${enhanced.replace(/\./g, '\\.')}\\s+)?`;
  const continuation = new RegExp(`(^|\\s)${basic}[ -]${codes}`, 'g');
  const body = flat.slice(head[0].length).replace(continuation, '$1').replace(/\s+/g, ' ').trim();
  const text = [basic, enhanced, body].filter((part) => part !== undefined && part !== '').join(' ');
  return { text, basic, ...(enhanced === undefined ? {} : { enhanced }) };
}

/** Known mailbox providers, by MX or reporting host, or by the address's own domain. */
const PROVIDERS: ReadonlyArray<[string, RegExp]> = [
  ['Gmail', /(^|\.)(google\.com|googlemail\.com|gmail\.com)$/],
  ['Microsoft', /(^|\.)(outlook\.com|hotmail\.[a-z.]+|live\.[a-z.]+|msn\.com|office365\.com)$/],
  ['Yahoo', /(^|\.)(yahoodns\.net|yahoo\.[a-z.]+|ymail\.com|aol\.com|aim\.com|rocketmail\.com)$/],
  ['iCloud', /(^|\.)(icloud\.com|me\.com|mac\.com)$/],
  ['GMX/Web.de', /(^|\.)(gmx\.[a-z.]+|web\.de|1and1\.com|ionos\.[a-z.]+)$/],
  ['Proton', /(^|\.)(protonmail\.ch|proton\.me|protonmail\.com)$/],
  ['Zoho', /(^|\.)(zoho\.[a-z.]+|zohomail\.[a-z.]+)$/],
  ['Fastmail', /(^|\.)(messagingengine\.com|fastmail\.[a-z.]+)$/],
];

function knownProvider(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  const name = host.toLowerCase().replace(/\.$/, '');
  return PROVIDERS.find(([, pattern]) => pattern.test(name))?.[0];
}

/** The provider: a known one from the MX or the address's domain, else the address's domain. */
export function providerOf(address: string, mx: string | undefined): string {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return knownProvider(mx) ?? knownProvider(domain) ?? (domain || 'unknown');
}

/**
 * The text with what varies per recipient or per connection taken out (addresses, IPs, host names in
 * brackets, ids, long numbers), so the same rejection to 200 recipients groups as one text.
 */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/<?[^\s<>@]+@[^\s<>@]+>?/g, '<addr>')
    .replace(/https?:\/\/\S+/g, (url) => url.replace(/[?#].*$/, ''))
    .replace(/\[[^\]]*\d[^\]]*\.[^\]]*\]/g, '[host]')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}\b|\b[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\b/g, '<ip>')
    .replace(/\b[0-9a-z]*\d[0-9a-z]*\d[0-9a-z]{6,}\b|\b\d{5,}\b/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

function isTemporary(raw: RawBounce): boolean {
  return raw.temporary === true || raw.basic?.startsWith('4') === true || raw.enhanced?.startsWith('4.') === true;
}

function matches(rule: BounceRule, raw: RawBounce, temporary: boolean): boolean {
  if (rule.temporary === true && !temporary) return false;
  if (rule.permanentOnly === true && temporary) return false;
  if (rule.stages !== undefined && raw.stage !== undefined && !rule.stages.includes(raw.stage)) return false;
  if (rule.text !== undefined && !rule.text.test(raw.text)) return false;
  if (rule.enhanced !== undefined && (raw.enhanced === undefined || !rule.enhanced.test(raw.enhanced))) return false;
  if (rule.basic !== undefined && (raw.basic === undefined || !rule.basic.test(raw.basic))) return false;
  return true;
}

/** The first provider rule whose field values the event carries. */
function providerRule(raw: RawBounce): ProviderRule | undefined {
  if (raw.types === undefined || raw.types.length === 0) return undefined;
  return PROVIDER_RULES.find((rule) => raw.types?.some((type) => rule.types.includes(type)));
}

/** The sending IP as block-list replies quote it ("messages from [IP]", "Client host [IP]", "from IP"). */
const SENDING_IP = /\b(?:messages from|client host|from|sending ip|ip address|ip)\s*[:=]?\s*\[?(\d{1,3}(?:\.\d{1,3}){3})\]?/i;

const NO_SIGNAL = RULES[RULES.length - 1] as BounceRule;

/** Classify one bounce (a `delivered` event is returned as class unknown, rule "delivered"). */
export function classifyEvent(raw: RawBounce): BounceEvent {
  if (raw.kind === 'delivered') {
    return { ...raw, class: 'unknown', category: 'delivered', rule: 'delivered', provider: '', repeat: false, bounce: undefined };
  }
  const provider = providerOf(raw.address, raw.mx);
  const explicit = providerRule(raw);
  if (explicit !== undefined) {
    return { ...raw, class: explicit.class, category: explicit.category, rule: explicit.id, provider, repeat: false, bounce: raw.enhanced ?? explicit.bounce };
  }
  const temporary = isTemporary(raw);
  const rule = RULES.find((candidate) => matches(candidate, raw, temporary)) ?? NO_SIGNAL;
  const ip = raw.ip ?? (rule.class === 'sender' ? SENDING_IP.exec(raw.text)?.[1] : undefined);
  return {
    ...raw,
    ...(ip === undefined ? {} : { ip }),
    class: rule.class,
    category: rule.category,
    rule: rule.id,
    provider,
    repeat: rule.repeat === true,
    // A generic "5.0.0" (Postfix's dsn= for a reply without a code) says less than the rule's code.
    bounce: raw.enhanced === undefined || (/\.0\.0$/.test(raw.enhanced) && rule.bounce !== undefined) ? rule.bounce : raw.enhanced,
  };
}

/** Rules by id (for the summary's advice). */
export function ruleMeaning(id: string): string | undefined {
  return RULES.find((rule) => rule.id === id)?.meaning ?? PROVIDER_RULES.find((rule) => rule.id === id)?.meaning;
}
