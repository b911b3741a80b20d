/** Types for sample-zone.mjs: the DNS zone that gives the samples/ lists their intended outcomes. */
import type { Zone } from './dns-server.d.mts';

/**
 * The real consumer providers (MX + public A), the disposable providers and typo domains of the
 * samples (MX), and the fictitious company domains (MX mx1.<domain>).
 */
export const PROVIDER_ZONE: Zone;
/** The DNS-outcome domains of samples/README.md (null MX, NODATA, private MX host, drop, SERVFAIL...). */
export const OUTCOME_ZONE: Zone;
/** PROVIDER_ZONE and OUTCOME_ZONE together. */
export const SAMPLE_ZONE: Zone;
/** A fresh (deep) copy of SAMPLE_ZONE. */
export function sampleZone(): Zone;
/** The intended status and reason per DNS-outcome domain. */
export const SAMPLE_OUTCOMES: Readonly<Record<string, { status: 'valid' | 'invalid' | 'unknown'; reason: string }>>;
