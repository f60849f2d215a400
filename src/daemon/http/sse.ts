/**
 * Server-sent events for the dashboard: `stats` every second, `alerts` after each committed
 * batch, `bans`, `scan` and `capture` when those change. A client that cannot keep up (its
 * socket buffer passes `maxBuffered`) is dropped rather than buffered without bound; the
 * browser's EventSource reconnects by itself.
 */
import type { ServerResponse } from 'node:http';

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly maxClients = 64,
    private readonly maxBuffered = 4 << 20,
  ) {
    this.heartbeat = setInterval(() => this.comment('ping'), 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response as an event stream; false when too many clients are connected. */
  attach(res: ServerResponse): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    return true;
  }

  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) {
      if (c.destroyed || c.writableEnded) {
        this.clients.delete(c);
        continue;
      }
      if (c.writableLength > this.maxBuffered) {
        c.destroy();
        this.clients.delete(c);
        continue;
      }
      c.write(msg);
    }
  }

  /** One event to one client (its first snapshot). */
  sendTo(res: ServerResponse, event: string, data: unknown): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private comment(text: string): void {
    for (const c of this.clients) if (!c.destroyed && !c.writableEnded) c.write(`: ${text}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
