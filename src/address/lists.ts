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
  // the same departments beyond English (German, Spanish, Portuguese, Italian, French, Dutch,
  // Polish, Czech, Scandinavian): contact, sales, accounting, invoices, jobs, press, office, orders
  'kontakt', 'contacto', 'contato', 'contatto', 'contatti', 'vertrieb', 'ventas', 'vendas', 'vendite',
  'verkauf', 'buchhaltung', 'rechnung', 'rechnungen', 'facturacion', 'facturas', 'faturamento',
  'fatturazione', 'empleo', 'empleos', 'emprego', 'lavoro', 'karriere', 'bewerbung', 'presse',
  'prensa', 'imprensa', 'stampa', 'buero', 'büro', 'oficina', 'escritorio', 'ufficio', 'bureau',
  'verwaltung', 'administracion', 'administracao', 'amministrazione', 'anfragen', 'anfrage',
  'consultas', 'atendimento', 'atencion', 'soporte', 'suporte', 'assistenza', 'kundenservice',
  'kundendienst', 'service-client', 'serviceclient', 'commercial', 'comercial', 'commerciale',
  'compta', 'comptabilite', 'contabilidad', 'contabilidade', 'contabilita', 'recrutement',
  'recrutamento', 'reclutamiento', 'bestellung', 'pedidos', 'ordini', 'commandes', 'redaktion',
  'redaccion', 'redazione', 'redaction', 'sekretariat', 'secretaria', 'segreteria', 'secretariat',
  'biuro', 'kancelaria', 'sprzedaz', 'obchod', 'faktura', 'fakturering', 'kundeservice',
  'kundservice', 'salg', 'försäljning', 'forsaljning', 'verkoop', 'klantenservice', 'facturen',
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
  // large national providers and the country forms of the big ones (each is in the maintained
  // free-provider list of the email-providers package; a unit test checks that)
  'hotmail.de', 'hotmail.it', 'hotmail.es', 'yahoo.de', 'yahoo.es', 'yahoo.it', 'yahoo.co.jp',
  'yahoo.com.br', 'hotmail.com.br', 'outlook.de', 'outlook.es', 'live.fr', 'live.de', 'live.it',
  'freenet.de', 'arcor.de', 'online.de', 'sfr.fr', 'neuf.fr', 'virgilio.it', 'tiscali.it',
  'alice.it', 'rambler.ru', 'yandex.com', 'bk.ru', 'inbox.ru', 'list.ru', 'ukr.net', '126.com',
  'sina.com', 'foxmail.com', 'naver.com', 'daum.net', 'hanmail.net', 'seznam.cz', 'centrum.cz',
  'wp.pl', 'o2.pl', 'onet.pl', 'interia.pl', 'bol.com.br', 'uol.com.br', 'terra.com.br',
  'ig.com.br', 'bigpond.com', 'optusnet.com.au', 'shaw.ca', 'rogers.com', 'sympatico.ca',
  'sky.com', 'virginmedia.com', 'ntlworld.com', 'talktalk.net', 'home.nl', 'planet.nl', 'telenet.be',
  'skynet.be', 'bluewin.ch', 'abv.bg', 'rediffmail.com', 'cox.net', 'charter.net', 'earthlink.net',
  'juno.com', 'zoho.com', 'mail.com', 'aim.com', 'gmx.at',
];

/**
 * Legitimate mail domains that sit close to a major provider. Never reported as typos.
 * (Every MAJOR_PROVIDERS entry is legitimate too.)
 */
export const LEGIT_NEAR_PROVIDERS: readonly string[] = [
  'email.com', 'gmx.ch', 'gmx.fr', 'gmx.us', 'gmx.co.uk', 'hotmail.ca', 'hotmail.nl', 'hotmail.be',
  'live.ca', 'live.nl', 'live.com.au', 'outlook.it', 'yahoo.ca', 'yahoo.com.au', 'yahoo.co.in',
  'yahoo.in', 'yandex.ua', 'yandex.by', 'yandex.kz', 'ya.ru', 'mail.ua', 'protonmail.ch', 'pm.me',
  'aol.de', 'aol.fr', 'aol.co.uk', 'icloud.net', 'me.net', 'mac.net', 'msn.net', 'att.com',
  'verizon.com', 'comcast.com', 'gmail.de', 'googlemail.de', 'web.com', 'free.com', '139.com',
  '188.com', 'yeah.net', 'sohu.com', 'orange.com', 'orange.net', 'outlook.co.uk', 'btopenworld.com',
  'virgin.net', 'tutanota.com', 'fastmail.com', 'hey.com', 'telus.net', 'bell.net', 'mail.de',
  'club-internet.fr', 'yahoo.gr', 'hotmail.gr', 'y7mail.com', 'earthling.net',
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
 * Second-level forms of country domains (`.co.uk`, `.com.br`): the label each country uses, and its
 * slips that are no registry's (`yahoo.con.uk`, `bol.cmo.br`).
 */
export const SECOND_LEVEL: Readonly<Record<string, 'co' | 'com'>> = {
  uk: 'co', jp: 'co', nz: 'co', za: 'co', kr: 'co', in: 'co', il: 'co', id: 'co', th: 'co',
  br: 'com', au: 'com', ar: 'com', mx: 'com', tr: 'com', cn: 'com', tw: 'com', hk: 'com', sg: 'com',
  my: 'com', pe: 'com', ua: 'com', co: 'com', ph: 'com', pk: 'com', ng: 'com', eg: 'com', sa: 'com',
};
export const SECOND_LEVEL_SLIPS: Readonly<Record<'co' | 'com', ReadonlySet<string>>> = {
  co: new Set(['con', 'cp', 'xo', 'vo', 'ci', 'c0', 'coo', 'cco', 'oc']),
  com: new Set(['con', 'cpm', 'cmo', 'vom', 'xom', 'comm', 'coom', 'ccom', 'ocm', 'cm', 'om', 'cim']),
};

/**
 * Real TLDs that, after the name of a major `.com` provider, are nearly always a slip for `.com`
 * (`gmail.co`, `hotmail.cm`). Only used when `name.com` is a major provider.
 */
export const COM_SLIPS: ReadonlySet<string> = new Set(['co', 'cm', 'om', 'cam']);
