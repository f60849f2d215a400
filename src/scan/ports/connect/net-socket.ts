/**
 * Connector on `net.Socket`: the public API, slower per probe than the TCP handle; used when
 * the handle binding is not available.
 */
import net from 'node:net';
import { type CompletionSink, type Connector, Outcome, outcomeForErrno } from './scheduler.js';

interface TaggedSocket extends net.Socket {
  slot: number;
  gen: number;
  owner: NetSocketConnector;
}

function onConnect(this: TaggedSocket): void {
  this.owner.done(this, Outcome.OPEN);
}
function onError(this: TaggedSocket, e: NodeJS.ErrnoException): void {
  this.owner.done(this, outcomeForErrno(e.code));
}

export class NetSocketConnector implements Connector {
  private readonly sockets: (TaggedSocket | null)[];
  private readonly sink: CompletionSink;
  private readonly address: string;

  constructor(sink: CompletionSink, address: string, slots: number) {
    this.sink = sink;
    this.address = address;
    this.sockets = new Array<TaggedSocket | null>(slots).fill(null);
  }

  start(slot: number, gen: number, port: number): number {
    const s = new net.Socket() as TaggedSocket;
    s.slot = slot;
    s.gen = gen;
    s.owner = this;
    s.once('connect', onConnect);
    s.once('error', onError);
    this.sockets[slot] = s;
    s.connect({ host: this.address, port });
    return Outcome.PENDING;
  }

  done(s: TaggedSocket, outcome: number): void {
    if (this.sockets[s.slot] !== s) return;
    this.sockets[s.slot] = null;
    s.destroy();
    this.sink.complete(s.slot, s.gen, outcome);
  }

  cancel(slot: number): void {
    const s = this.sockets[slot];
    if (s) {
      this.sockets[slot] = null;
      s.removeAllListeners('connect');
      s.on('error', () => undefined);
      s.destroy();
    }
  }
}
