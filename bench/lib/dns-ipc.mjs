// The parent's side of a forked bench DNS server (bench/lib/dns-child.mjs, or bench/dns.mjs in
// --server-child mode) or of the bench mail servers (bench/lib/smtp-child.mjs): the child's first
// message carries its address, then 'stats', 'reset' and 'close' are asked over IPC one at a time.
import { once } from 'node:events';

export async function dnsChildHandle(child) {
  const [{ address }] = await once(child, 'message');
  const ask = async (message) => {
    child.send(message);
    const [reply] = await once(child, 'message');
    return reply;
  };
  return {
    address,
    stats: () => ask('stats'),
    reset: () => ask('reset'),
    close: async () => {
      child.send('close');
      await once(child, 'exit');
    },
  };
}
