/**
 * The replies receiving servers give for sender problems, as published by the providers (Gmail's
 * SMTP error reference, Microsoft's and Yahoo's postmaster pages, Postfix's reject_rbl_client). A
 * check quotes the one a sender is most likely to meet; DOMAIN and IP are filled in.
 */
export const REPLIES = {
  gmailUnauthenticated: '550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. (Gmail)',
  gmailSpfRateLimited: "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. (Gmail, bulk senders)",
  gmailDmarc: "550-5.7.26 Unauthenticated email from DOMAIN is not accepted due to domain's DMARC policy. (Gmail)",
  gmailPtr: '550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. (Gmail)',
  microsoftAuth: "550 5.7.515 Access denied, sending domain DOMAIN doesn't meet the required authentication level. (Microsoft, bulk senders)",
  microsoftSpamhaus: '550 5.7.1 Service unavailable, Client host [IP] blocked using Spamhaus. (Microsoft)',
  yahooPolicy: '554 5.7.9 Message not accepted for policy reasons. (Yahoo)',
  yahooBlocked: "553 5.7.1 [BL21] Connections will not be accepted from IP, because the ip is in Spamhaus's list. (Yahoo)",
  postfixRbl: '554 5.7.1 Service unavailable; Client host [IP] blocked using ZONE (Postfix reject_rbl_client)',
  postfixDbl: '554 5.7.1 <DOMAIN>: Sender address rejected: blocked using ZONE (Postfix reject_rhsbl_sender)',
  senderDomainNotFound: '550 5.1.8 <SENDER>: Sender address rejected: Domain not found (Postfix reject_unknown_sender_domain)',
  senderNullMx: '550 5.7.27 <SENDER>: Sender address rejected: Domain has null MX (RFC 7505)',
} as const;

export function fill(reply: string, values: Record<string, string>): string {
  return reply.replace(/\b(DOMAIN|IP|ZONE|SENDER)\b/g, (name) => values[name] ?? name);
}
