/**
 * Provider groups: the unit of politeness. Many domains share one provider's MX fleet (every Google
 * Workspace domain answers at *.google.com), and that provider counts our connections across all of
 * them, so limits, breakers and the blanket guard work per group, not per MX host.
 */

/** MX suffixes of providers that host many domains. Order: the longer suffix first. */
const PROVIDER_SUFFIXES: readonly string[] = [
  'olc.protection.outlook.com',
  'protection.outlook.com',
  'google.com',
  'googlemail.com',
  'outlook.com',
  'pphosted.com',
  'ppe-hosted.com',
  'mimecast.com',
  'yahoodns.net',
  'icloud.com',
  'messagingengine.com',
  'zoho.com',
  'zoho.eu',
  'protonmail.ch',
  'barracudanetworks.com',
  'iphmx.com',
  'secureserver.net',
  'emailsrvr.com',
  'mailgun.org',
  'gmx.net',
  'web.de',
  'ionos.com',
  'yandex.net',
  'mail.ru',
];

/** Providers known to block probes or accept every RCPT (Yahoo/AOL, Outlook.com consumer). */
const UNVERIFIABLE_SUFFIXES: readonly string[] = ['yahoodns.net', 'olc.protection.outlook.com'];

function hasSuffix(host: string, suffix: string): boolean {
  return host === suffix || host.endsWith(`.${suffix}`);
}

function normalize(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** The provider group of an MX host: a known suffix, else the host itself. */
export function groupOf(mxHost: string): string {
  const host = normalize(mxHost);
  return PROVIDER_SUFFIXES.find((suffix) => hasSuffix(host, suffix)) ?? host;
}

export function isUnverifiable(mxHost: string): boolean {
  const host = normalize(mxHost);
  return UNVERIFIABLE_SUFFIXES.some((suffix) => hasSuffix(host, suffix));
}

/** Domains whose catch-all probe tells nothing (Gmail rejects every unknown local part reliably). */
export function skipsCatchAllProbe(domain: string): boolean {
  return domain === 'gmail.com' || domain === 'googlemail.com';
}
