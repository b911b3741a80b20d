/**
 * The classification table, as data. The classifier tries PROVIDER_RULES first (explicit provider
 * fields), then RULES in order: text rules before code rules, sender rules before recipient rules,
 * first match wins. A wrong sender match can only keep an address; recipient rules are narrow and
 * never match a temporary failure. README "Bounces" prints this table; keep `source` honest.
 */
import type { BounceClass, Stage } from './types.js';

export interface BounceRule {
  id: string;
  class: BounceClass;
  category: string;
  /** Tested against the joined reply text. */
  text?: RegExp;
  /** Tested against the enhanced status code (5.1.1). */
  enhanced?: RegExp;
  /** Tested against the basic reply code (550). */
  basic?: RegExp;
  /** Matches only temporary failures (4xx, deferred, delayed). */
  temporary?: true;
  /** Never matches a temporary failure: a 4xx is never proof a mailbox is dead. */
  permanentOnly?: true;
  /** Matches only at these stages (an unknown stage passes). */
  stages?: readonly Stage[];
  /** Counts only after --bounce-min-events events. */
  repeat?: true;
  /** Enhanced code to report when the event carries none. */
  bounce?: string;
  /** What it means for the sender, for the summary. */
  meaning: string;
  /** Where the reply text or code comes from. */
  source: string;
}

const RECIPIENT_STAGES: readonly Stage[] = ['RCPT', 'report'];

/** Text rules, then code rules. Order matters. */
export const RULES: readonly BounceRule[] = [
  // ---- sender / blocked (text)
  { id: 'microsoft-block-list', class: 'sender', category: 'blocked', text: /\bS3150\b|\bS3140\b|\bAS\(1601261\d\)/i, meaning: 'your sending IP is on Microsoft\'s block list', source: 'Outlook.com / Microsoft 365: "550 5.7.1 Unfortunately, messages from [IP] weren\'t sent ... on our block list (S3150)"' },
  { id: 'yahoo-block', class: 'sender', category: 'blocked', text: /\[(BL2\d|TSS0\d|TS0\d)\]/i, meaning: 'Yahoo/AOL is refusing your sending IP', source: 'Yahoo postmaster error codes: "553 5.7.2 [BL21] Connections will not be accepted from IP", "421 4.7.0 [TSS04] Messages from IP temporarily deferred"' },
  { id: 'aol-rtr', class: 'sender', category: 'blocked', text: /\bRTR:[A-Z]{2}\b|\bDYN:T\d\b/, meaning: 'AOL is refusing your sending IP', source: 'AOL (Yahoo) reply codes "554 RTR:BL", "421 DYN:T1"' },
  { id: 'block-list', class: 'sender', category: 'blocked', text: /spamhaus|barracuda|spamcop|proofpoint|cloudmark|sorbs|uceprotect|\bdnsbl\b|\brbl\b|blocked using|block ?list|black ?list|blocklist|\blisted\b/i, meaning: 'your sending IP or domain is on a block list', source: 'Postfix reject_rbl_client ("blocked using zen.spamhaus.org"), Exim dnslists, Barracuda, Proofpoint (iCloud, Comcast), Cloudmark' },
  { id: 'too-many-invalid', class: 'sender', category: 'blocked', text: /too many (invalid|bad|unknown|non-?existent) recipients/i, meaning: 'the receiver throttles you for sending to dead addresses', source: 'Microsoft / Yahoo / Exim replies "too many invalid recipients"' },
  { id: 'reputation', class: 'sender', category: 'blocked', text: /banned sending ip|banned sender|(poor|low|bad) reputation|reputation (of|is)|traffic not accepted from this ip|access denied, banned/i, meaning: 'the receiver distrusts your sending IP or domain', source: 'Microsoft "5.7.606 Access denied, banned sending IP", Gmail "421 4.7.0 very low reputation of the sending IP address"' },
  // ---- sender / authentication (text)
  { id: 'authentication', class: 'sender', category: 'authentication', text: /\bspf\b|\bdkim\b|\bdmarc\b|unauthenticated|not authenticated|authentication (level|failed|check)|not aligned|alignment/i, meaning: 'your SPF, DKIM or DMARC does not pass', source: 'Gmail "550 5.7.26 This mail has been blocked because the sender is unauthenticated", Microsoft "5.7.515 ... required authentication level", Yahoo "554 5.7.9"' },
  // ---- sender / configuration (text)
  { id: 'reverse-dns', class: 'sender', category: 'configuration', text: /reverse dns|\bptr\b|\brdns\b|cannot find your hostname|reverse (lookup|hostname)|client host rejected/i, meaning: 'your sending IP has no matching reverse DNS (PTR)', source: 'Gmail "550 5.7.25 The IP address sending this message does not have a PTR record", Postfix reject_unknown_client_hostname "Client host rejected: cannot find your hostname"' },
  { id: 'tls-required', class: 'sender', category: 'configuration', text: /tls required|must issue a starttls|encryption required|requires? (a )?(secure|tls) connection/i, meaning: 'the receiver requires TLS', source: 'Gmail "530 5.7.0 Must issue a STARTTLS command first", Postfix smtpd_tls_security_level=encrypt' },
  { id: 'relay-denied', class: 'sender', category: 'configuration', text: /relay(ing)? (access )?denied|not permitted to relay|relay not permitted|unable to relay|we do not relay|relaying denied/i, meaning: 'the server is not your relay (wrong route or missing authentication)', source: 'Postfix "554 5.7.1 <addr>: Relay access denied", Exim "550 relay not permitted"' },
  { id: 'sender-rejected', class: 'sender', category: 'configuration', text: /sender address rejected|sender verify failed|sender (domain|address) (must|does not|doesn't)|sender.{0,20}null mx|invalid sender/i, meaning: 'the receiver rejects your envelope sender (MAIL FROM)', source: 'Postfix reject_unknown_sender_domain "Sender address rejected: Domain not found", Exim "Sender verify failed"' },
  { id: 'not-rfc5322', class: 'sender', category: 'configuration', text: /rfc ?5322|rfc ?2822|not rfc compliant|message-id|malformed (message|header)|multiple from/i, meaning: 'your message headers break RFC 5322', source: 'Gmail "550 5.7.1 Messages missing a valid Message-ID header are not accepted", "not RFC 5322 compliant"' },
  // ---- sender / content or rate (text)
  { id: 'content', class: 'sender', category: 'content', text: /spam|unsolicited|virus|malware|phish|content (rejected|filter|policy)|message content|\burl\b|suspicious link|local policy/i, meaning: 'the receiver rejected the content of your message', source: 'Gmail "550 5.7.1 ... likely unsolicited mail", iCloud "554 5.7.1 [CS01] Message rejected due to local policy", Exim/SpamAssassin content scans' },
  { id: 'rate-limit', class: 'sender', category: 'rate', text: /rate limit|rate-limit|ratelimit|too many (messages|connections|emails|mails)|unusual rate|sending rate|exceeded (the )?(hourly|daily|sending)/i, meaning: 'you are sending too fast for this receiver', source: 'Gmail "421 4.7.28 ... unusual rate of unsolicited mail", Microsoft "4.7.650 ... temporarily rate limited"' },
  { id: 'message-too-large', class: 'sender', category: 'content', text: /too (large|big)|exceeds? (the )?(maximum |max )?(allowed )?(message )?size|size limit/i, meaning: 'your message is too large', source: 'Gmail "552 5.3.4 Your message exceeded Google\'s message size limits", Postfix "552 5.3.4 Message size exceeds fixed limit"' },
  // ---- transient (text), before the recipient rules
  { id: 'receiving-too-quickly', class: 'transient', category: 'recipient-rate', text: /receiving mail (too quickly|at a rate)/i, meaning: 'the mailbox receives too much mail right now', source: 'Gmail "450 4.2.1 / 550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages"' },
  { id: 'mailbox-full', class: 'transient', category: 'mailbox-full', text: /mailbox (is )?full|over ?quota|quota exceeded|exceeded (its|the|their) storage|insufficient (system )?storage|out of storage/i, meaning: 'the mailbox is full', source: 'Gmail "452 4.2.2 The email account that you tried to reach is over quota", Postfix virtual "mailbox full"' },
  { id: 'greylisted', class: 'transient', category: 'greylisting', text: /gr[ae]y ?list|try again later|please try later|temporar(il)?y (unavailable|failure|rejected|deferred)/i, meaning: 'greylisting or a temporary failure; retried later', source: 'Postgrey "450 4.2.0 Recipient address rejected: Greylisted", Exim "451 Temporary local problem - please try later"' },
  // ---- recipient? (domain, checked now by DNS) (text)
  { id: 'domain-not-found', class: 'domain', category: 'domain', text: /host or domain name not found|domain (not found|does not exist|doesn't exist)|no such domain|unrout(e)?able domain|\bnxdomain\b/i, permanentOnly: true, bounce: '5.1.2', meaning: 'the domain did not resolve when the mail was sent', source: 'Postfix "Host or domain name not found. Name service error for name=... type=MX: Host not found" (dsn 5.4.4)' },
  // ---- recipient (text)
  { id: 'null-mx', class: 'recipient', category: 'null-mx', text: /does not accept mail|null ?mx/i, permanentOnly: true, bounce: '5.1.10', meaning: 'the domain accepts no mail (RFC 7505 null MX)', source: 'Postfix "Domain example.com does not accept mail (nullMX)" (dsn 5.1.10), RFC 7505 section 4.2 (556 5.1.10)' },
  { id: 'ms365-access-denied', class: 'recipient', category: 'mailbox', text: /recipient address rejected: access denied/i, permanentOnly: true, stages: RECIPIENT_STAGES, bounce: '5.4.1', meaning: 'the mailbox does not exist in the tenant (Directory-Based Edge Blocking)', source: 'Microsoft 365 "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)"' },
  { id: 'mailbox-moved', class: 'recipient', category: 'moved', text: /(mailbox|user|recipient|address) has moved|moved, no forwarding|no forwarding address/i, permanentOnly: true, stages: RECIPIENT_STAGES, bounce: '5.1.6', meaning: 'the mailbox has moved, no forwarding address', source: 'RFC 3463 5.1.6 "Destination mailbox has moved, no forwarding address"' },
  { id: 'mailbox-disabled', class: 'recipient', category: 'disabled', text: /\b(account|mailbox|user|address)\b[^.]{0,60}\b(disabled|inactive|deactivated|suspended)\b/i, permanentOnly: true, stages: RECIPIENT_STAGES, repeat: true, bounce: '5.2.1', meaning: 'the mailbox is disabled or inactive', source: 'Gmail "550 5.2.1 The email account that you tried to reach is inactive / disabled", Yahoo "554 5.2.1 ... mailbox is disabled"' },
  // Yahoo answers this after DATA (one recipient per transaction); the text names the recipient.
  { id: 'yahoo-no-account', class: 'recipient', category: 'mailbox', text: /this user doesn't have an? \S+ account/i, permanentOnly: true, bounce: '5.1.1', meaning: 'the mailbox does not exist', source: 'Yahoo "554 delivery error: dd This user doesn\'t have a yahoo.com account (addr) [0]" (logged in reply to end of DATA)' },
  { id: 'no-such-user', class: 'recipient', category: 'mailbox', text: /user unknown|unknown user|no such (user|mailbox|recipient|address|account)|user (not found|doesn't exist|does not exist)|recipient (not found|unknown|does not exist|doesn't exist)|unknown recipient|invalid recipient|recip(ient)?notfound|mailbox (not found|does not exist|doesn't exist|unknown)|(account|address) (that you tried to reach )?(does not exist|doesn't exist)|not a valid (mailbox|recipient|user)|no mailbox here|recipient address rejected: user unknown/i, permanentOnly: true, stages: RECIPIENT_STAGES, bounce: '5.1.1', meaning: 'the mailbox does not exist', source: 'Gmail "550 5.1.1 The email account that you tried to reach does not exist", Microsoft "550 5.1.10 RESOLVER.ADR.RecipientNotFound", iCloud "550 5.1.1 <addr>: user does not exist", Postfix "User unknown in local recipient table", Exim/cPanel "550 No Such User Here"' },

  // ---- codes, once no text rule matched
  { id: 'code-sender-configuration', class: 'sender', category: 'configuration', enhanced: /^[45]\.7\.2[57]$/, meaning: 'reverse DNS (5.7.25) or your sender domain\'s null MX (5.7.27)', source: 'RFC 7372 (5.7.25 reverse DNS validation failed), RFC 7505 (5.7.27 sender address has null MX)' },
  { id: 'code-sender-authentication', class: 'sender', category: 'authentication', enhanced: /^5\.7\.(2[0-6]|509|515)$|^4\.7\.(26|27|30|32|40)$/, meaning: 'your SPF, DKIM or DMARC does not pass', source: 'RFC 7372 (5.7.20-5.7.26), Gmail 4.7.26-4.7.40 temporary authentication codes, Microsoft 5.7.509 / 5.7.515' },
  { id: 'code-yahoo-policy', class: 'sender', category: 'authentication', basic: /^554$/, enhanced: /^5\.7\.9$/, meaning: 'Yahoo refuses the message for policy (authentication) reasons', source: 'Yahoo "554 5.7.9 Message not accepted for policy reasons"' },
  { id: 'code-sender-blocked', class: 'sender', category: 'blocked', enhanced: /^5\.7\.(6[0-4]\d|511|708|750)$/, meaning: 'the receiver bans your sending IP or domain', source: 'Microsoft 5.7.606-649 (banned sending IP), 5.7.511 (banned sender), 5.7.708, 5.7.750' },
  { id: 'code-sender-rate', class: 'sender', category: 'rate', enhanced: /^[45]\.7\.28$|^4\.7\.65\d$/, meaning: 'you are sending too fast for this receiver', source: 'Gmail 4.7.28, Microsoft 4.7.650-659' },
  { id: 'code-message-too-large', class: 'sender', category: 'content', enhanced: /^5\.3\.4$|^5\.2\.3$/, meaning: 'your message is too large', source: 'RFC 3463 5.3.4 / 5.2.3' },
  { id: 'code-null-mx', class: 'recipient', category: 'null-mx', enhanced: /^5\.1\.10$/, permanentOnly: true, bounce: '5.1.10', meaning: 'the domain accepts no mail (null MX), or Microsoft found no such recipient', source: 'RFC 7505 (556 5.1.10), Microsoft "5.1.10 RecipientNotFound"' },
  { id: 'code-null-mx-556', class: 'recipient', category: 'null-mx', basic: /^556$/, permanentOnly: true, bounce: '5.1.10', meaning: 'the domain accepts no mail (null MX)', source: 'RFC 7505 section 4.2 (556)' },
  { id: 'code-no-such-user', class: 'recipient', category: 'mailbox', enhanced: /^5\.1\.1$/, permanentOnly: true, stages: RECIPIENT_STAGES, bounce: '5.1.1', meaning: 'the mailbox does not exist', source: 'RFC 3463 5.1.1 "Bad destination mailbox address" at RCPT or in a delivery report' },
  { id: 'code-mailbox-moved', class: 'recipient', category: 'moved', enhanced: /^5\.1\.6$/, permanentOnly: true, stages: RECIPIENT_STAGES, bounce: '5.1.6', meaning: 'the mailbox has moved, no forwarding address', source: 'RFC 3463 5.1.6' },
  { id: 'code-domain', class: 'domain', category: 'domain', enhanced: /^5\.1\.2$|^5\.4\.4$/, permanentOnly: true, meaning: 'the domain did not resolve when the mail was sent', source: 'RFC 3463 5.1.2 (bad destination system), 5.4.4 (unable to route)' },
  { id: 'code-mailbox-full', class: 'transient', category: 'mailbox-full', enhanced: /^[45]\.2\.2$/, meaning: 'the mailbox is full', source: 'RFC 3463 5.2.2 (mailbox full is a temporary condition)' },
  { id: 'temporary', class: 'transient', category: 'temporary', temporary: true, meaning: 'a temporary failure; the sender retries', source: 'RFC 5321 4xx replies, Postfix status=deferred, DSN Action: delayed' },
  { id: 'no-signal', class: 'unknown', category: 'no-signal', meaning: 'no signal about the mailbox (a bare 550/554, 5.0.0, generic 5.7.1, no code)', source: 'everything else' },
];

/** A provider field that classifies an event by itself, whatever its text. */
export interface ProviderRule {
  id: string;
  class: BounceClass;
  category: string;
  /** Lower-case provider field values (SES bounceSubType, Postmark Type, Mailgun reason, ...). */
  types: readonly string[];
  bounce?: string;
  meaning: string;
  source: string;
}

/** Checked in this order against the event's provider fields; a field not listed leaves the text to decide. */
export const PROVIDER_RULES: readonly ProviderRule[] = [
  { id: 'provider-blocked', class: 'sender', category: 'blocked', types: ['blocked', 'block', 'espblock', 'spamnotification', 'virusnotification'], meaning: 'the provider says the receiver blocked you', source: 'SendGrid event type "blocked", Mailgun reason "espblock", Postmark Type "Blocked", "SpamNotification", "VirusNotification"' },
  { id: 'provider-authentication', class: 'sender', category: 'authentication', types: ['dmarcpolicy'], meaning: 'the receiver applied your DMARC policy', source: 'Postmark Type "DMARCPolicy"' },
  { id: 'provider-content', class: 'sender', category: 'content', types: ['contentrejected', 'attachmentrejected', 'messagetoolarge'], meaning: 'the receiver rejected the content or size', source: 'SES bounceSubType "ContentRejected", "AttachmentRejected", "MessageTooLarge"' },
  { id: 'provider-transient', class: 'transient', category: 'temporary', types: ['transient', 'softbounce', 'temporary', 'deferred', 'delayed', 'mailboxfull', 'dnserror'], meaning: 'the provider says the failure is temporary', source: 'SES bounceType "Transient" / "MailboxFull", Postmark "Transient", "SoftBounce", "DnsError", Mailgun severity "temporary", SendGrid "deferred"' },
  { id: 'provider-suppressed', class: 'unknown', category: 'suppressed', types: ['suppressed', 'onaccountsuppressionlist', 'dropped', 'suppress-bounce', 'suppress-complaint', 'suppress-unsubscribe', 'manuallydeactivated', 'addresschange'], meaning: 'a prior suppression entry, not evidence by itself', source: 'SES "Suppressed" / "OnAccountSuppressionList", SendGrid "dropped", Mailgun "suppress-bounce", Postmark "ManuallyDeactivated"' },
  { id: 'provider-no-email', class: 'recipient', category: 'mailbox', types: ['noemail'], bounce: '5.1.1', meaning: 'the mailbox does not exist', source: 'SES bounceType "Permanent", bounceSubType "NoEmail"' },
];
