/**
 * Hand-kept lists of the address engine: role mailboxes, the major providers typo detection points
 * to, domains that look like a provider but are legitimate, and common TLD slips.
 * Kept small and conservative on purpose: every entry can turn a real subscriber into a risky row.
 */

/**
 * Role mailboxes: they reach a team or a machine, not one person. Matched case-insensitively on the
 * local part without its `+tag`. Sources: RFC 2142 (info, marketing, sales, support, abuse, noc,
 * security, postmaster, hostmaster, usenet, news, webmaster, www, uucp, ftp), the classic system
 * aliases (root, mailer-daemon, nobody), the usual no-reply spellings, and the handful of
 * department aliases every ESP flags (admin, billing, contact, help, office, ...). Words that are
 * often a person's own mailbox (hello, me, mail, team, hi) are deliberately left out.
 */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  // RFC 2142
  'info', 'marketing', 'sales', 'support', 'abuse', 'noc', 'security', 'postmaster', 'hostmaster',
  'usenet', 'news', 'webmaster', 'www', 'uucp', 'ftp',
  // system aliases
  'root', 'mailer-daemon', 'daemon', 'nobody', 'sysadmin', 'admin', 'administrator',
  // never read
  'noreply', 'no-reply', 'no_reply', 'donotreply', 'do-not-reply', 'do_not_reply',
  // departments
  'billing', 'contact', 'help', 'helpdesk', 'office', 'enquiries', 'inquiries', 'feedback',
  'careers', 'jobs', 'hr', 'press', 'privacy', 'legal', 'compliance', 'accounts', 'accounting',
  'customerservice', 'customer.service', 'newsletter', 'list', 'list-request', 'unsubscribe',
]);

/**
 * Major consumer mail providers, in priority order (the first one wins a tie). A domain one or two
 * edits away from one of these is reported as `typo_domain` with the provider as the suggestion.
 */
export const MAJOR_PROVIDERS: readonly string[] = [
  'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com', 'live.com',
  'msn.com', 'googlemail.com', 'me.com', 'mac.com', 'protonmail.com', 'proton.me', 'gmx.com',
  'gmx.de', 'gmx.net', 'web.de', 'yandex.ru', 'mail.ru', 'comcast.net', 'verizon.net', 'att.net',
  'sbcglobal.net', 'bellsouth.net', 'orange.fr', 'free.fr', 'btinternet.com', 'qq.com', '163.com',
  'yahoo.co.uk', 'hotmail.co.uk', 'hotmail.fr', 'yahoo.fr', 'live.co.uk', 'outlook.fr',
  'wanadoo.fr', 'laposte.net', 'libero.it', 't-online.de', 'rocketmail.com', 'ymail.com',
];

/**
 * Legitimate mail domains that sit close to a major provider. Never reported as typos.
 * (Every MAJOR_PROVIDERS entry is legitimate too.)
 */
export const LEGIT_NEAR_PROVIDERS: readonly string[] = [
  'mail.com', 'email.com', 'gmx.at', 'gmx.ch', 'gmx.fr', 'gmx.us', 'gmx.co.uk', 'hotmail.de',
  'hotmail.it', 'hotmail.es', 'hotmail.ca', 'hotmail.nl', 'hotmail.be', 'live.fr', 'live.de',
  'live.ca', 'live.nl', 'live.it', 'live.com.au', 'outlook.de', 'outlook.es', 'outlook.it',
  'yahoo.de', 'yahoo.es', 'yahoo.it', 'yahoo.ca', 'yahoo.com.au', 'yahoo.co.in', 'yahoo.co.jp',
  'yahoo.com.br', 'yahoo.in', 'yandex.com', 'yandex.ua', 'yandex.by', 'yandex.kz', 'ya.ru',
  'inbox.ru', 'list.ru', 'bk.ru', 'mail.ua', 'protonmail.ch', 'pm.me', 'aim.com', 'aol.de',
  'aol.fr', 'aol.co.uk', 'icloud.net', 'me.net', 'mac.net', 'msn.net', 'att.com', 'verizon.com',
  'comcast.com', 'gmail.de', 'googlemail.de', 'web.com', 'free.com', '126.com', '139.com',
  '188.com', 'foxmail.com', 'yeah.net', 'sina.com', 'sohu.com', 'orange.com', 'orange.net',
  'outlook.co.uk', 'btopenworld.com', 'sky.com', 'virgin.net', 'zoho.com', 'tutanota.com',
  'fastmail.com', 'hey.com', 'cox.net', 'charter.net', 'earthlink.net', 'juno.com', 'shaw.ca',
  'rogers.com', 'telus.net', 'bell.net', 'ukr.net', 'naver.com', 'daum.net', 'hanmail.net',
  'rediffmail.com', 'mail.de', 'freenet.de', 'online.de', 'sfr.fr', 'neuf.fr', 'club-internet.fr',
  'tiscali.it', 'virgilio.it', 'alice.it', 'yahoo.gr', 'hotmail.gr',
];

/**
 * Misspelt top-level domains that are not real TLDs, and the TLD they almost certainly meant.
 * Applied only when the TLD is not in the IANA list.
 */
export const TLD_TYPOS: Readonly<Record<string, string>> = {
  con: 'com', cmo: 'com', comm: 'com', coom: 'com', ccom: 'com', vom: 'com', xom: 'com', cpm: 'com',
  ocm: 'com', cim: 'com', clm: 'com', cok: 'com', comn: 'com', coml: 'com', cm0: 'com', c0m: 'com',
  nte: 'net', nett: 'net', ney: 'net', nrt: 'net', bet: 'net',
  ogr: 'org', orgg: 'org', rog: 'org', prg: 'org', ofg: 'org',
};

/**
 * Real TLDs that, after the name of a major `.com` provider, are nearly always a slip for `.com`
 * (`gmail.co`, `hotmail.cm`). Only used when `name.com` is a major provider.
 */
export const COM_SLIPS: ReadonlySet<string> = new Set(['co', 'cm', 'om', 'cam']);
