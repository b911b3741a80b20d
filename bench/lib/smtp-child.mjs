// The bench's mail servers (figure 7), run as a forked child so their work never shares the event loop
// with the process being measured. argv: <config.json> = { hosts: ['127.0.0.31', ...], delayMs,
// unknown: [addresses answered 550 5.1.1] }. One server per host, all on one port (real MX hosts all
// listen on 25; listscrub has one --smtp-port). Every reply, the greeting included, leaves delayMs
// after its command arrived: a realistic round trip plus server work, per command. Postfix's texts.
// Local parts starting with "listscrub-" (the catch-all probe) are unknown too: not a catch-all domain.
// No STARTTLS offered (no certificate here), so a TLS handshake's cost is not part of the figures.
// Timestamps are epoch ms (performance.timeOrigin + now) so the parent can line them up with its own.
// IPC (lib/dns-ipc.mjs): the first message is { address: 'host:port' }; then 'stats' -> { connections }, 'reset', 'close'.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const unknown = new Set(config.unknown.map((a) => a.toLowerCase()));
const now = () => performance.timeOrigin + performance.now();
const later = (fn) => setTimeout(fn, config.delayMs);

/** [{ host, openedAt, commands: [{ verb, at, repliedAt }] }] since the last reset. */
let connections = [];
const sockets = new Set();

function reply(command, name) {
  const verb = command.split(/[ :]/)[0].toUpperCase();
  switch (verb) {
    case 'EHLO':
      return [`250-${name}`, '250-PIPELINING', '250-SIZE 10240000', '250-ENHANCEDSTATUSCODES', '250 8BITMIME'];
    case 'HELO':
      return [`250 ${name}`];
    case 'MAIL':
      return ['250 2.1.0 Ok'];
    case 'RCPT': {
      const address = (/<([^>]*)>/.exec(command)?.[1] ?? '').toLowerCase();
      const known = !unknown.has(address) && !address.startsWith('listscrub-');
      return [known ? '250 2.1.5 Ok' : `550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`];
    }
    case 'RSET':
      return ['250 2.0.0 Ok'];
    case 'QUIT':
      return ['221 2.0.0 Bye'];
    default:
      return ['502 5.5.2 Error: command not recognized'];
  }
}

function serve(socket, host) {
  const name = `mx.${host.replace(/\./g, '-')}.bench`;
  const connection = { host, openedAt: now(), commands: [] };
  connections.push(connection);
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  const send = (lines) => !socket.destroyed && socket.write(lines.map((line) => `${line}\r\n`).join(''));
  later(() => send([`220 ${name} ESMTP Postfix`]));
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const command = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const entry = { verb: command.split(/[ :]/)[0].toUpperCase(), at: now(), repliedAt: null };
      connection.commands.push(entry);
      later(() => {
        entry.repliedAt = now();
        send(reply(command, name));
        if (entry.verb === 'QUIT') socket.end();
      });
    }
  });
}

/** One server per host on one shared port: the first host picks a free port, the others follow. */
async function listenAll(hosts) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const servers = [];
    try {
      for (const host of hosts) {
        const server = createServer((socket) => serve(socket, host));
        servers.push(server);
        await new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen(servers.length === 1 ? 0 : servers[0].address().port, host, resolve);
        });
      }
      return servers;
    } catch {
      for (const server of servers) server.close();
    }
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

const servers = await listenAll(config.hosts);
process.on('message', async (message) => {
  if (message === 'stats') process.send({ connections });
  else if (message === 'reset') {
    connections = [];
    process.send('reset');
  } else if (message === 'close') {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    process.disconnect();
  }
});
process.send({ address: `${config.hosts[0]}:${servers[0].address().port}` });
