/**
 * Failed logins read from the server's replies of clear-text protocols, in the reassembled
 * stream: FTP `530` answering USER or PASS, SMTP `535` ending an AUTH exchange, POP3 `-ERR`
 * answering PASS, APOP or AUTH, IMAP tagged `NO` answering LOGIN or AUTHENTICATE. Replies are
 * paired with the client's commands in order (each direction is read in order, so the pairing
 * does not depend on how the two directions interleave); IMAP pairs by tag. A flow is followed
 * until its login succeeds, it turns to TLS (AUTH TLS, STARTTLS, STLS), it sends mail (SMTP
 * DATA) or a line grows beyond reason: nothing after that is a login.
 *
 * Only flows to the ports below are read (the engine hands over their bytes only: see
 * `PacketObserver.streamPorts`); their state is allocated per flow, which is fine for the few
 * flows of authentication services.
 */

/** Protocols whose replies tell the outcome of a login. */
export type LoginProtocol = 'ftp' | 'smtp' | 'pop3' | 'imap';

/** Clear-text authentication ports and their protocol. */
export const LOGIN_REPLY_PORTS: ReadonlyMap<number, LoginProtocol> = new Map<number, LoginProtocol>([
  [21, 'ftp'],
  [25, 'smtp'],
  [587, 'smtp'],
  [110, 'pop3'],
  [143, 'imap'],
]);

/** Longest line kept while waiting for its end (longer: the flow is not followed any more). */
const MAX_LINE = 4096;
/** Commands awaiting their reply, per flow (more: pipelining beyond reason, stop). */
const MAX_PENDING = 64;
/** Flows followed at once (the oldest is forgotten beyond it). */
const MAX_FLOWS = 65536;

interface FlowLogin {
  proto: LoginProtocol;
  /** The server's greeting was of this protocol: its logins are read exactly. */
  greeted: boolean;
  /** Not followed any more (logged in, TLS, mail data, garbage). */
  done: boolean;
  /** Partial line per direction (0 client, 1 server). */
  partial: [string, string];
  /** Client commands (upper-case verbs) awaiting a reply; IMAP: tags of LOGIN/AUTHENTICATE. */
  pending: string[];
  /** FTP/SMTP: code of the multi-line reply being read, else ''. */
  multi: string;
  /** SMTP/POP3: inside an AUTH exchange (the server asked for more). */
  inAuth: boolean;
}

/** What {@link LoginReplies.feed} reports for each failed login. */
export type LoginFailureSink = (proto: LoginProtocol, flowId: number) => void;

export class LoginReplies {
  private readonly flows = new Map<number, FlowLogin>();
  /** Failed logins read so far. */
  failures = 0;

  /** Server ports to ask the engine for. */
  static readonly ports: ReadonlySet<number> = new Set(LOGIN_REPLY_PORTS.keys());

  /**
   * New in-order bytes of flow `flowId` (server port `serverPort`) in one direction; calls
   * `sink` once per failed login found.
   */
  feed(
    flowId: number,
    serverPort: number,
    toServer: boolean,
    data: Uint8Array,
    sink: LoginFailureSink,
  ): void {
    let f = this.flows.get(flowId);
    if (f === undefined) {
      const proto = LOGIN_REPLY_PORTS.get(serverPort);
      if (proto === undefined) return;
      if (this.flows.size >= MAX_FLOWS) {
        const first = this.flows.keys().next();
        if (!first.done) this.flows.delete(first.value);
      }
      f = {
        proto,
        greeted: false,
        done: false,
        partial: ['', ''],
        pending: [],
        multi: '',
        inAuth: false,
      };
      this.flows.set(flowId, f);
    }
    if (f.done) return;
    const dir = toServer ? 0 : 1;
    let text = f.partial[dir] + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const line = text.slice(start, end);
      start = nl + 1;
      if (toServer) this.clientLine(f, line);
      else this.serverLine(f, line, flowId, sink);
      if (f.done) {
        f.partial[0] = '';
        f.partial[1] = '';
        f.pending.length = 0;
        return;
      }
    }
    text = text.slice(start);
    if (text.length > MAX_LINE) {
      f.done = true;
      return;
    }
    f.partial[dir] = text;
  }

  /**
   * The flow ended: forgets it. True when its server greeted in its protocol, so its failed
   * logins were read from the replies (and the flow is not to be guessed at from its shape).
   */
  end(flowId: number): boolean {
    if (this.flows.size === 0) return false;
    const f = this.flows.get(flowId);
    if (f === undefined) return false;
    this.flows.delete(flowId);
    return f.greeted;
  }

  private clientLine(f: FlowLogin, line: string): void {
    const p = f.pending;
    if (f.proto === 'imap') {
      const sp = line.indexOf(' ');
      if (sp <= 0) return;
      const verb = firstWord(line, sp + 1);
      if (verb === 'LOGIN' || verb === 'AUTHENTICATE') {
        if (p.length >= MAX_PENDING) f.done = true;
        else p.push(line.slice(0, sp));
      }
      return;
    }
    const verb = firstWord(line, 0);
    // SMTP: the message body follows DATA (no login after it)
    if (f.proto === 'smtp' && (verb === 'DATA' || verb === 'BDAT')) {
      f.done = true;
      return;
    }
    if (p.length >= MAX_PENDING) f.done = true;
    else p.push(verb);
  }

  private serverLine(f: FlowLogin, line: string, flowId: number, sink: LoginFailureSink): void {
    switch (f.proto) {
      case 'ftp':
      case 'smtp':
        this.codeLine(f, line, flowId, sink);
        return;
      case 'pop3':
        this.pop3Line(f, line, flowId, sink);
        return;
      case 'imap':
        this.imapLine(f, line, flowId, sink);
        return;
    }
  }

  /** FTP and SMTP replies: three digits, `-` continues a multi-line reply, a space ends it. */
  private codeLine(f: FlowLogin, line: string, flowId: number, sink: LoginFailureSink): void {
    if (line.length < 3 || !isDigit(line, 0) || !isDigit(line, 1) || !isDigit(line, 2)) {
      if (!f.greeted && f.multi === '') f.done = true; // not this protocol
      return;
    }
    const code = line.slice(0, 3);
    const sep = line.length > 3 ? line.charCodeAt(3) : 32;
    if (f.multi !== '') {
      // inside a multi-line reply: only the line with its code and a space ends it
      if (code !== f.multi || sep === 45) return;
      f.multi = '';
    } else if (sep === 45) {
      f.multi = code;
      return;
    }
    if (code.charCodeAt(0) === 49) return; // 1xx: preliminary (FTP), the final reply follows
    if (!f.greeted) {
      // the greeting answers no command: 220 (or 120 before it) says this is the protocol
      if (code !== '220') f.done = true;
      else f.greeted = true;
      return;
    }
    const cmd = f.pending.shift();
    if (f.proto === 'ftp') {
      if (code === '530' && (cmd === 'USER' || cmd === 'PASS')) this.fail(f, flowId, sink);
      else if (code === '230' || code === '234') f.done = true; // logged in, or TLS from here on
      return;
    }
    if (cmd === 'AUTH' || f.inAuth) {
      f.inAuth = code === '334';
      if (code === '535') this.fail(f, flowId, sink);
      else if (code === '235') f.done = true;
    } else if (cmd === 'STARTTLS' && code === '220') f.done = true;
  }

  private pop3Line(f: FlowLogin, line: string, flowId: number, sink: LoginFailureSink): void {
    const ok = line.startsWith('+OK');
    const err = !ok && line.startsWith('-ERR');
    const more = !ok && !err && (line === '+' || line.startsWith('+ '));
    // other lines belong to a multi-line answer (CAPA, LIST...)
    if (!ok && !err && !more) return;
    if (!f.greeted) {
      if (ok) f.greeted = true;
      else f.done = true;
      return;
    }
    const cmd = f.pending.shift();
    const login = cmd === 'PASS' || cmd === 'APOP' || cmd === 'AUTH' || f.inAuth;
    if (more) {
      f.inAuth = cmd === 'AUTH' || f.inAuth;
      return;
    }
    f.inAuth = false;
    if (err && login) this.fail(f, flowId, sink);
    else if (ok && (login || cmd === 'STLS')) f.done = true;
  }

  private imapLine(f: FlowLogin, line: string, flowId: number, sink: LoginFailureSink): void {
    if (!f.greeted) {
      if (line.startsWith('* OK')) f.greeted = true;
      else f.done = true; // PREAUTH (no login), BYE, or not IMAP
      return;
    }
    if (line.startsWith('*') || line.startsWith('+')) return;
    const sp = line.indexOf(' ');
    if (sp <= 0) return;
    const i = f.pending.indexOf(line.slice(0, sp));
    if (i < 0) return;
    f.pending.splice(i, 1);
    const status = firstWord(line, sp + 1);
    if (status === 'NO') this.fail(f, flowId, sink);
    else if (status === 'OK') f.done = true;
  }

  private fail(f: FlowLogin, flowId: number, sink: LoginFailureSink): void {
    this.failures++;
    sink(f.proto, flowId);
  }
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The upper-cased word of `line` starting at `from` (up to a space). */
function firstWord(line: string, from: number): string {
  let e = line.indexOf(' ', from);
  if (e < 0) e = line.length;
  return line.slice(from, Math.min(e, from + 16)).toUpperCase();
}
