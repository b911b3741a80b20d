/**
 * One SMTP client session on node:net / node:tls, written here because no maintained client stops
 * after RCPT (nodemailer's connection goes on to DATA once a recipient is accepted). It speaks only
 * what a mailbox check needs: greeting, EHLO (HELO on a 5xx), STARTTLS when offered, then per
 * address MAIL FROM / RCPT TO / RSET, and QUIT. Never DATA, never VRFY, no pipelining: one command,
 * one reply. Every wait has a timer, capped by the session's deadline.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ReplyReader, type SmtpReply } from './reply.js';
import type { ResolvedSmtpOptions } from './types.js';

/** Opens a TCP connection; tests inject one that never connects. */
export type Connector = (options: { host: string; port: number }) => Socket;

export class SessionError extends Error {
  constructor(readonly kind: 'timeout' | 'closed' | 'tls', message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface SessionTarget {
  mxHost: string;
  /** The IP address to connect to. */
  ip: string;
  port: number;
}

export type OpenFailure =
  | { kind: 'connect' | 'timeout' | 'closed'; detail: string }
  /** The greeting or EHLO/HELO was not 2xx. */
  | { kind: 'reply'; reply: SmtpReply; stage: 'greeting' | 'EHLO' | 'HELO'; mxHost: string };

export interface ProbeReply {
  stage: 'MAIL' | 'RCPT';
  reply: SmtpReply;
}

type Waiter = { resolve: (reply: SmtpReply) => void; reject: (error: Error) => void };

export class SmtpSession {
  #socket: Socket;
  #buffer = '';
  #reader = new ReplyReader();
  #replies: SmtpReply[] = [];
  #waiter: Waiter | undefined;
  #closed: SessionError | undefined;
  #quitting: Promise<void> | undefined;
  readonly #deadline: number;
  /** Every command written, for tests and the record: never DATA or VRFY. */
  readonly sent: string[] = [];
  tls = false;

  private constructor(socket: Socket, readonly target: SessionTarget, readonly options: ResolvedSmtpOptions, readonly now: () => number) {
    this.#socket = socket;
    this.#deadline = now() + options.timeouts.sessionMs;
    this.#listen(socket);
  }

  #listen(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', (error: Error) => this.#fail(new SessionError('closed', `connection error: ${error.message}`)));
    socket.on('close', () => this.#fail(new SessionError('closed', 'the server closed the connection')));
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, end).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(end + 1);
      const reply = this.#reader.push(line);
      if (reply === undefined) continue;
      if (this.#waiter === undefined) this.#replies.push(reply);
      else this.#settle((w) => w.resolve(reply));
    }
    // A server that streams a reply without end is cut off rather than buffered.
    if (this.#buffer.length > 64 * 1024) this.#fail(new SessionError('closed', 'reply line too long'));
  }

  #settle(action: (waiter: Waiter) => void): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) action(waiter);
  }

  #fail(error: SessionError): void {
    if (this.#closed !== undefined) return;
    this.#closed = error;
    this.#settle((w) => w.reject(error));
    this.#socket.destroy();
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Time left before the session's deadline, ms. */
  get remainingMs(): number {
    return this.#deadline - this.now();
  }

  /** The next reply, within `timeoutMs` and the session deadline. */
  read(timeoutMs: number): Promise<SmtpReply> {
    const queued = this.#replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    const limit = Math.max(0, Math.min(timeoutMs, this.remainingMs));
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        this.#fail(new SessionError('timeout', `no reply within ${Math.round(limit / 1000)} s`));
        reject(new SessionError('timeout', `no reply within ${Math.round(limit / 1000)} s`));
      }, limit);
      this.#waiter = {
        resolve: (reply) => (clearTimeout(timer), resolve(reply)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
    });
  }

  command(line: string): Promise<SmtpReply> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (/[\r\n]/.test(line)) throw new Error('an SMTP command cannot hold a line break');
    this.sent.push(line);
    this.#socket.write(`${line}\r\n`);
    return this.read(this.options.timeouts.commandMs);
  }

  /** MAIL FROM, RCPT TO, RSET: one transaction, one recipient. */
  async probe(from: string, recipient: string): Promise<ProbeReply> {
    const mail = await this.command(`MAIL FROM:<${from}>`);
    if (mail.code < 200 || mail.code > 299) return { stage: 'MAIL', reply: mail };
    const rcpt = await this.command(`RCPT TO:<${recipient}>`);
    const reset = await this.command('RSET');
    // A server that refuses RSET cannot run a next transaction on this connection.
    if (reset.code !== 250) this.#fail(new SessionError('closed', `RSET answered ${reset.code}`));
    return { stage: 'RCPT', reply: rcpt };
  }

  /**
   * QUIT politely, then close whatever the answer; never throws. Once per session: the checker's
   * close() can meet a session already quitting on its own, and a second QUIT's read would take the
   * first one's reply and leave it to wait out its timer.
   */
  quit(): Promise<void> {
    this.#quitting ??= this.#quit();
    return this.#quitting;
  }

  async #quit(): Promise<void> {
    // A command still waiting for its reply (a stalled RCPT at close): QUIT would be read as that
    // reply, and the pending timer would hold the process for commandMs. Close at once instead.
    if (this.#waiter !== undefined) this.#fail(new SessionError('closed', 'session ended while a command was waiting'));
    if (this.#closed === undefined) {
      this.sent.push('QUIT');
      this.#socket.write('QUIT\r\n');
      await this.read(Math.min(this.options.timeouts.commandMs, 5000)).catch(() => undefined);
    }
    this.#fail(new SessionError('closed', 'session ended'));
  }

  /**
   * Connect, read the greeting, EHLO (HELO on a 5xx), STARTTLS when offered and `tls` is true.
   * A failed TLS handshake throws SessionError('tls'): the caller tries once more without TLS.
   */
  static async open(target: SessionTarget, options: ResolvedSmtpOptions, deps: { connect: Connector; now: () => number }, tls: boolean): Promise<SmtpSession | OpenFailure> {
    const socket = await connectWithin(deps.connect, target, options.timeouts.connectMs);
    if ('kind' in socket) return socket;
    const session = new SmtpSession(socket, target, options, deps.now);
    try {
      const greeting = await session.read(options.timeouts.greetingMs);
      if (greeting.code !== 220) return session.#refused({ kind: 'reply', reply: greeting, stage: 'greeting', mxHost: target.mxHost });
      let hello = await session.#hello();
      if ('kind' in hello) return session.#refused(hello);
      if (tls && hello.lines.some((line) => /^\d{3}[ -]STARTTLS\b/i.test(line))) {
        const started = await session.command('STARTTLS');
        if (started.code === 220) {
          await session.#startTls();
          hello = await session.#hello();
          if ('kind' in hello) return session.#refused(hello);
        }
      }
      return session;
    } catch (error) {
      session.#fail(new SessionError('closed', 'open failed'));
      if (error instanceof SessionError && error.kind === 'tls') throw error;
      const kind = error instanceof SessionError ? error.kind : 'closed';
      return { kind: kind === 'tls' ? 'closed' : kind, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The port-25 check: TCP and a greeting, then QUIT. Any greeting, even a refusal, means the port is open. */
  static async greet(target: SessionTarget, options: ResolvedSmtpOptions, deps: { connect: Connector; now: () => number }): Promise<{ answered: boolean; detail: string }> {
    const socket = await connectWithin(deps.connect, target, options.timeouts.connectMs);
    if ('kind' in socket) return { answered: false, detail: socket.detail };
    const session = new SmtpSession(socket, target, options, deps.now);
    try {
      const greeting = await session.read(options.timeouts.greetingMs);
      await session.quit();
      return { answered: true, detail: `${target.mxHost} answered "${greeting.text}"` };
    } catch (error) {
      session.#fail(new SessionError('closed', 'greeting failed'));
      return { answered: false, detail: `${target.mxHost} (${target.ip}:${target.port}): ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async #refused(failure: OpenFailure): Promise<OpenFailure> {
    await this.quit();
    return failure;
  }

  async #hello(): Promise<SmtpReply | OpenFailure> {
    const ehlo = await this.command(`EHLO ${this.options.helo}`);
    if (ehlo.code === 250) return ehlo;
    if (ehlo.code < 500) return { kind: 'reply', reply: ehlo, stage: 'EHLO', mxHost: this.target.mxHost };
    const helo = await this.command(`HELO ${this.options.helo}`);
    return helo.code === 250 ? helo : { kind: 'reply', reply: helo, stage: 'HELO', mxHost: this.target.mxHost };
  }

  /** Upgrade the socket; the certificate is not verified (MX certificates rarely match, RFC 7672). */
  async #startTls(): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners('data').removeAllListeners('close').removeAllListeners('error');
    plain.on('error', () => undefined);
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, ...(isIP(this.target.mxHost) === 0 ? { servername: this.target.mxHost } : {}) });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SessionError('tls', 'TLS handshake timed out')), Math.min(this.options.timeouts.commandMs, this.remainingMs));
      secure.once('secureConnect', () => (clearTimeout(timer), resolve()));
      secure.once('error', (error) => (clearTimeout(timer), reject(new SessionError('tls', `TLS handshake failed: ${error.message}`))));
      secure.once('close', () => (clearTimeout(timer), reject(new SessionError('tls', 'connection closed during the TLS handshake'))));
    }).catch((error: unknown) => {
      secure.destroy();
      plain.destroy();
      throw error;
    });
    secure.removeAllListeners('close').removeAllListeners('error');
    this.#socket = secure;
    this.#buffer = '';
    this.tls = true;
    this.#listen(secure);
  }
}

async function connectWithin(connect: Connector, target: SessionTarget, timeoutMs: number): Promise<Socket | { kind: 'connect'; detail: string }> {
  const socket = connect({ host: target.ip, port: target.port });
  return new Promise((resolve) => {
    const done = (result: Socket | { kind: 'connect'; detail: string }) => {
      clearTimeout(timer);
      socket.removeListener('connect', onConnect).removeListener('error', onError);
      if ('kind' in result) socket.destroy();
      resolve(result);
    };
    const onConnect = () => done(socket);
    const onError = (error: NodeJS.ErrnoException) => done({ kind: 'connect', detail: `${target.mxHost} (${target.ip}:${target.port}): ${error.code ?? error.message}` });
    const timer = setTimeout(() => done({ kind: 'connect', detail: `${target.mxHost} (${target.ip}:${target.port}): no TCP connection within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    socket.once('connect', onConnect).once('error', onError);
  });
}

export const defaultConnector: Connector = (options) => netConnect(options);
