/**
 * A raw SMTP server on node:net for the faults a real MTA will not stage on demand: multi-line
 * replies, a banner that stalls, a dropped connection, 421 at connect, "452 4.5.3 too many
 * recipients", STARTTLS offered but broken. A `respond` function scripts every reply; the server
 * records every command of every connection (to prove DATA and VRFY never come) with the (fake)
 * time it arrived, and the most connections it ever had open at once.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** Reply lines to send ("250-first", "250 last"), or an action. */
export type Action = string[] | 'drop' | 'stall' | 'break-tls';

export interface Connection {
  id: number;
  /** Commands as received, without CRLF. */
  commands: string[];
  openedAt: number;
  /** Connection-level state a script may keep (e.g. MAIL FROM seen). */
  state: Record<string, unknown>;
}

export interface ScriptOptions {
  /** Greeting lines, or 'stall' (never greet), 'drop' (close at once). Default "220 <name> ESMTP". */
  banner?: string[] | 'stall' | 'drop' | ((connection: Connection) => string[] | 'stall' | 'drop');
  /** The reply to one command; undefined falls back to `standardReply`. */
  respond?: (command: string, connection: Connection) => Action | undefined;
  /** What RCPT TO answers, when `respond` leaves it to the standard replies. Default 250. */
  rcpt?: (address: string, connection: Connection) => string[];
  /** Offer STARTTLS in the EHLO reply (answered by `respond`, e.g. 'break-tls'). */
  offerStartTls?: boolean;
}

export interface ScriptServer {
  host: string;
  port: number;
  connections: Connection[];
  /** The most connections open at the same moment. */
  maxConcurrent: number;
  /** Every command of every connection, in arrival order. */
  allCommands(): string[];
  close(): Promise<void>;
}

/** The replies of a plain, accepting server: multi-line EHLO, 250 to MAIL/RCPT/RSET, 221 to QUIT. */
export function standardReply(command: string, options: ScriptOptions, connection: Connection): Action {
  const verb = command.split(/[ :]/)[0]?.toUpperCase() ?? '';
  switch (verb) {
    case 'EHLO':
      return ['250-mx.test greets you', '250-PIPELINING', '250-SIZE 10240000', ...(options.offerStartTls ? ['250-STARTTLS'] : []), '250 8BITMIME'];
    case 'HELO':
      return ['250 mx.test'];
    case 'MAIL':
      return ['250 2.1.0 Ok'];
    case 'RCPT': {
      const address = /<([^>]*)>/.exec(command)?.[1] ?? '';
      return options.rcpt?.(address, connection) ?? ['250 2.1.5 Ok'];
    }
    case 'RSET':
      return ['250 2.0.0 Ok'];
    case 'QUIT':
      return ['221 2.0.0 Bye'];
    default:
      return ['502 5.5.2 Error: command not recognized'];
  }
}

export async function startScriptServer(options: ScriptOptions = {}, host = '127.0.0.1', port = 0): Promise<ScriptServer> {
  const connections: Connection[] = [];
  const sockets = new Set<Socket>();
  let open = 0;
  const result: ScriptServer = {
    host,
    port: 0,
    connections,
    maxConcurrent: 0,
    allCommands: () => connections.flatMap((c) => c.commands),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    const connection: Connection = { id: connections.length + 1, commands: [], openedAt: Date.now(), state: {} };
    connections.push(connection);
    sockets.add(socket);
    open++;
    result.maxConcurrent = Math.max(result.maxConcurrent, open);
    socket.on('close', () => (open--, sockets.delete(socket)));
    socket.on('error', () => undefined);
    const send = (lines: string[]) => socket.write(lines.map((line) => `${line}\r\n`).join(''));
    const banner = typeof options.banner === 'function' ? options.banner(connection) : options.banner ?? ['220 mx.test ESMTP ready'];
    if (banner === 'drop') return void socket.destroy();
    if (banner !== 'stall') send(banner);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (connection.state.brokenTls === true) return;
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        connection.commands.push(command);
        const action = options.respond?.(command, connection) ?? standardReply(command, options, connection);
        if (action === 'drop') return void socket.destroy();
        if (action === 'stall') continue;
        if (action === 'break-tls') {
          // Promise TLS, then answer the ClientHello with plain text: the handshake fails.
          connection.state.brokenTls = true;
          send(['220 2.0.0 Ready to start TLS']);
          socket.once('data', () => socket.end('this is not TLS\r\n'));
          return;
        }
        send(action);
        if (/^QUIT/i.test(command)) socket.end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  result.port = typeof address === 'object' && address !== null ? address.port : 0;
  return result;
}

/**
 * Servers on several loopback addresses sharing one port (the checker has one `port` option, as
 * real MX hosts all listen on 25): 127.0.0.11, .12, ... (clear of the Postfix harness's 127.0.0.2).
 */
export async function startScriptServers(scripts: ScriptOptions[]): Promise<ScriptServer[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const servers: ScriptServer[] = [];
    try {
      for (const [i, script] of scripts.entries()) servers.push(await startScriptServer(script, `127.0.0.${11 + i}`, servers[0]?.port ?? 0));
      return servers;
    } catch {
      await Promise.all(servers.map((s) => s.close()));
    }
  }
  throw new Error('could not find one free port on all the loopback addresses');
}
