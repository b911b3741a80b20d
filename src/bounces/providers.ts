/**
 * Provider event documents (Amazon SES, SendGrid, Mailgun, Postmark) to raw events. Each mapper
 * reads the provider's documented fields; the explicit classification fields (SES bounceSubType,
 * SendGrid type, Mailgun reason and severity, Postmark Type) go into `types` for PROVIDER_RULES.
 */
import { parseReply } from './classify.js';
import type { RawBounce } from './types.js';

type Json = Record<string, unknown>;
interface Where {
  file: string;
  line: number;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}
function lower(...values: unknown[]): string[] {
  return values.map(str).filter((v): v is string => v !== undefined).map((v) => v.toLowerCase());
}

/** Epoch seconds (number or numeric string), or a date string, to epoch milliseconds. */
export function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? Math.round(value * 1000) : value;
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return timeOf(Number(value));
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** A reply text with its codes, and the codes given in separate fields when the text has none. */
function reply(text: string | undefined, codes: { basic?: unknown; enhanced?: unknown } = {}): Pick<RawBounce, 'text' | 'basic' | 'enhanced'> {
  const parsed = parseReply((text ?? '').replace(/^\s*smtp\s*;\s*/i, ''));
  const result: Pick<RawBounce, 'text' | 'basic' | 'enhanced'> = { text: parsed.text };
  const basic = parsed.basic ?? str(codes.basic)?.match(/^[245]\d\d$/)?.[0];
  const enhanced = parsed.enhanced ?? str(codes.enhanced)?.match(/[245]\.\d{1,3}\.\d{1,3}/)?.[0];
  if (basic !== undefined) result.basic = basic;
  if (enhanced !== undefined) result.enhanced = enhanced;
  return result;
}

/** Amazon SES notification (SNS or event publishing): one event per bounced / delivered recipient. */
function fromSes(doc: Json, where: Where): RawBounce[] | null {
  const type = str(doc.notificationType) ?? str(doc.eventType);
  if (type === 'Delivery' && isObject(doc.delivery)) {
    const delivery = doc.delivery;
    const recipients = Array.isArray(delivery.recipients) ? delivery.recipients : [];
    return recipients.filter((r): r is string => typeof r === 'string').map((address) => ({
      kind: 'delivered', address, text: str(delivery.smtpResponse) ?? '', source: 'SES', time: timeOf(delivery.timestamp), ...where,
      ...(str(delivery.reportingMTA) === undefined ? {} : { mx: str(delivery.reportingMTA) as string }),
    }));
  }
  if (type !== 'Bounce' || !isObject(doc.bounce)) return type === undefined ? null : [];
  const bounce = doc.bounce;
  const recipients = Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients.filter(isObject) : [];
  const types = lower(bounce.bounceType, bounce.bounceSubType);
  // SES's "Permanent"/"General" says nothing on its own; "Transient" does (PROVIDER_RULES).
  const explicit = types.filter((t) => t !== 'permanent' && t !== 'general' && t !== 'undetermined');
  return recipients.flatMap((r) => {
    const address = str(r.emailAddress);
    if (address === undefined) return [];
    const event: RawBounce = {
      kind: 'bounce', address, ...reply(str(r.diagnosticCode), { enhanced: r.status }), stage: 'report', types: explicit, source: 'SES',
      time: timeOf(bounce.timestamp), ...where,
    };
    if (types.includes('transient')) event.temporary = true;
    const ip = str(bounce.remoteMtaIp);
    if (ip !== undefined) event.mx = ip;
    return [event];
  });
}

/** SendGrid Event Webhook document (bounce, blocked, deferred, dropped, delivered). */
function fromSendGrid(doc: Json, where: Where): RawBounce[] | null {
  const event = str(doc.event);
  const address = str(doc.email);
  if (event === undefined || address === undefined || !('sg_event_id' in doc || 'sg_message_id' in doc || 'smtp-id' in doc)) return null;
  if (event === 'delivered') return [{ kind: 'delivered', address, text: str(doc.response) ?? '', source: 'SendGrid', time: timeOf(doc.timestamp), ...where }];
  if (event !== 'bounce' && event !== 'blocked' && event !== 'deferred' && event !== 'dropped') return [];
  // "type": "blocked" (or the older event "blocked") is SendGrid saying the receiver blocked the sender.
  const types = lower(event, doc.type);
  const classification = str(doc.bounce_classification)?.toLowerCase() ?? '';
  if (/reputation|content|frequency|volume/.test(classification)) types.push('blocked');
  const raw: RawBounce = {
    kind: 'bounce', address, ...reply(str(doc.reason) ?? str(doc.response), { enhanced: doc.status }), stage: 'report', types: types.filter((t) => t !== 'bounce'),
    source: 'SendGrid', time: timeOf(doc.timestamp), ...where,
  };
  if (event === 'deferred') raw.temporary = true;
  const ip = str(doc.ip);
  if (ip !== undefined) raw.ip = ip;
  return [raw];
}

/** Mailgun event (events API item or webhook "event-data"): failed (permanent / temporary), delivered. */
function fromMailgun(doc: Json, where: Where): RawBounce[] | null {
  const data = isObject(doc['event-data']) ? doc['event-data'] : doc;
  const event = str(data.event);
  const address = str(data.recipient);
  if (event === undefined || address === undefined || !('delivery-status' in data || 'severity' in data || 'envelope' in data)) return null;
  const status = isObject(data['delivery-status']) ? data['delivery-status'] : {};
  const envelope = isObject(data.envelope) ? data.envelope : {};
  const time = timeOf(data.timestamp);
  if (event === 'delivered') return [{ kind: 'delivered', address, text: str(status.message) ?? '', source: 'Mailgun', time, ...where }];
  if (event !== 'failed' && event !== 'bounced') return [];
  const text = str(status.message) ?? str(status.description) ?? '';
  const raw: RawBounce = {
    kind: 'bounce', address, ...reply(text, { basic: status.code, enhanced: status['enhanced-code'] }), stage: 'report',
    types: lower(data.reason, data.severity).filter((t) => t !== 'permanent' && t !== 'bounce' && t !== 'generic' && t !== 'old'),
    source: 'Mailgun', time, ...where,
  };
  if (str(data.severity) === 'temporary') raw.temporary = true;
  const mx = str(status['mx-host']);
  if (mx !== undefined) raw.mx = mx;
  const ip = str(envelope['sending-ip']);
  if (ip !== undefined) raw.ip = ip;
  return [raw];
}

/** Postmark bounce webhook or /bounces API item; RecordType "Delivery" is a delivery. */
function fromPostmark(doc: Json, where: Where): RawBounce[] | null {
  const recordType = str(doc.RecordType);
  const address = str(doc.Email) ?? str(doc.Recipient);
  if (address === undefined || (recordType === undefined && !('BouncedAt' in doc || 'TypeCode' in doc))) return null;
  if (recordType === 'Delivery') return [{ kind: 'delivered', address, text: str(doc.Details) ?? '', source: 'Postmark', time: timeOf(doc.DeliveredAt), ...where }];
  if (recordType !== undefined && recordType !== 'Bounce') return [];
  const type = str(doc.Type)?.toLowerCase();
  if (type === 'autoresponder' || type === 'subscribe' || type === 'unsubscribe' || type === 'openrelaytest' || type === 'challengeverification') return [];
  const text = str(doc.Details) ?? str(doc.Description) ?? '';
  return [{
    kind: 'bounce', address, ...reply(text), stage: 'report', types: lower(doc.Type).filter((t) => t !== 'hardbounce'), source: 'Postmark',
    time: timeOf(doc.BouncedAt), ...where,
  }];
}

/** Raw events from one provider document; null when it is no provider's event (skipped and counted). */
export function fromProviderDocument(doc: unknown, where: Where): RawBounce[] | null {
  if (!isObject(doc)) return null;
  // SNS delivers SES notifications wrapped: {"Type": "Notification", "Message": "{...}"}.
  if (str(doc.Type) === 'Notification' && typeof doc.Message === 'string') {
    try {
      return fromProviderDocument(JSON.parse(doc.Message), where);
    } catch {
      return null;
    }
  }
  return fromSes(doc, where) ?? fromSendGrid(doc, where) ?? fromMailgun(doc, where) ?? fromPostmark(doc, where);
}
