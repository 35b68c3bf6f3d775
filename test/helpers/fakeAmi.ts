/**
 * A fake Asterisk manager interface on a real TCP port, for testing the AMI client. It speaks the
 * manager protocol as Asterisk 13+ does: the banner, Login (Success, or Error and hang up), Ping,
 * Setvar (recorded per channel), Logoff; and it sends the events a test asks for. Its parser is its
 * own, so the client's framing is checked against an independent reading: CRLF line ends, a blank
 * line after each action.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type Fields = Readonly<Record<string, string>>;

export interface FakeAmiOptions {
  readonly username?: string;
  readonly secret?: string;
  readonly banner?: string;
}

function message(fields: Fields): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
    .concat('\r\n');
}

export class FakeAmi {
  username: string;
  secret: string;
  readonly banner: string;
  /** False: Ping goes unanswered, as on a half-dead connection. */
  answerPing = true;
  /** True: Setvar answers are kept back until `release()`. */
  holdSetvar = false;
  /** Channels that are gone: Setvar on them answers `No such channel`. */
  readonly goneChannels = new Set<string>();

  /** Every action received, in order, with its fields as sent. */
  readonly actions: Fields[] = [];
  /** Each Login: when (ms, performance.now()) and whether it was accepted. */
  readonly logins: { at: number; ok: boolean }[] = [];
  /** Setvar actions per channel: `[Variable, Value]` in the order received. */
  readonly setvars = new Map<string, [string, string][]>();

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Socket>();
  private held: { socket: Socket; text: string }[] = [];

  constructor(opts: FakeAmiOptions = {}) {
    this.username = opts.username ?? 'numinfo';
    this.secret = opts.secret ?? 'secret';
    this.banner = opts.banner ?? 'Asterisk Call Manager/7.0.3';
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on 127.0.0.1 (port 0: any free port); resolves to the port. */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops listening and cuts every connection, as Asterisk going down does. */
  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Cuts every connection but keeps listening. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Actions received with this name (`Ping`, `Setvar` …). */
  count(action: string): number {
    return this.actions.filter((a) => a.Action?.toLowerCase() === action.toLowerCase()).length;
  }

  setvarTotal(): number {
    let n = 0;
    for (const v of this.setvars.values()) n += v.length;
    return n;
  }

  /** Sends events to every logged-in session, all of them in one write. */
  emit(...events: Fields[]): void {
    const text = events.map((e) => message(e)).join('');
    for (const s of this.sessions) s.write(text);
  }

  /** Sends the Setvar answers held back so far. */
  release(): void {
    for (const { socket, text } of this.held.splice(0)) if (!socket.destroyed) socket.write(text);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.sessions.delete(socket);
    });
    socket.on('error', () => {});
    socket.write(`${this.banner}\r\n`);
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const fields: Record<string, string> = {};
        for (const line of block.split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
        }
        this.actions.push(fields);
        this.answer(socket, fields);
      }
    });
  }

  private answer(socket: Socket, a: Fields): void {
    const id = a.ActionID ?? '';
    switch (a.Action) {
      case 'Login': {
        const ok = a.Username === this.username && a.Secret === this.secret;
        this.logins.push({ at: performance.now(), ok });
        if (!ok) {
          // Asterisk hangs up after a refused login.
          socket.end(message({ Response: 'Error', ActionID: id, Message: 'Authentication failed' }));
          return;
        }
        this.sessions.add(socket);
        socket.write(message({ Response: 'Success', ActionID: id, Message: 'Authentication accepted' }));
        socket.write(message({ Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' }));
        return;
      }
      case 'Ping':
        if (this.answerPing)
          socket.write(
            message({ Response: 'Success', ActionID: id, Ping: 'Pong', Timestamp: '1700000000.000000' }),
          );
        return;
      case 'Setvar': {
        const channel = a.Channel ?? '';
        const list = this.setvars.get(channel) ?? [];
        list.push([a.Variable ?? '', a.Value ?? '']);
        this.setvars.set(channel, list);
        const text = this.goneChannels.has(channel)
          ? message({ Response: 'Error', ActionID: id, Message: 'No such channel' })
          : message({ Response: 'Success', ActionID: id, Message: 'Variable Set' });
        if (this.holdSetvar) this.held.push({ socket, text });
        else socket.write(text);
        return;
      }
      case 'Logoff':
        socket.end(message({ Response: 'Goodbye', ActionID: id, Message: 'Thanks for all the fish.' }));
        return;
      default:
        socket.write(message({ Response: 'Error', ActionID: id, Message: 'Invalid/unknown command' }));
    }
  }
}
