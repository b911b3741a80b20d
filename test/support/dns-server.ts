/**
 * The test DNS server. It is written in plain ESM JavaScript (dns-server.mjs, typed by
 * dns-server.d.mts) so that the benchmark scripts can import it without a build step; TypeScript
 * tests import it from here.
 */
export { startDnsServer, normalizeName } from './dns-server.mjs';
export type {
  Behavior,
  DnsServer,
  DnsServerOptions,
  MxSpec,
  QueryLogEntry,
  ServerMode,
  Zone,
  ZoneEntry,
} from './dns-server.mjs';
