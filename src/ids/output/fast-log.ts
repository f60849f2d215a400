/** fast.log: one line per alert, as Suricata's fast.log output writes it. */

import type { EveSink } from '../engine/types.js';
import type { EveRecord } from '../eve.js';
import { type EveFileOptions, LineFile } from './eve-file.js';

/** The fast.log line of an EVE alert record. */
export function fastLogLine(rec: EveRecord): string | null {
  if (rec.event_type !== 'alert') return null;
  const a = rec.alert as Record<string, unknown>;
  const ts = String(rec.timestamp);
  // 2019-08-21T19:27:04.663085+0000 -> 08/21/2019-19:27:04.663085
  const m = /^(\d{4})-(\d{2})-(\d{2})T([\d:.]+)/.exec(ts);
  const when = m ? `${m[2]}/${m[3]}/${m[1]}-${m[4]}` : ts;
  const ep = (ip: unknown, port: unknown) => (port !== undefined ? `${ip}:${port}` : String(ip));
  const cls = a.category ? ` [Classification: ${a.category}]` : '';
  const drop = a.action === 'blocked' ? '[Drop] ' : '';
  return (
    `${when}  ${drop}[**] [${a.gid}:${a.signature_id}:${a.rev}] ${a.signature} [**]${cls} [Priority: ${a.severity}] ` +
    `{${rec.proto}} ${ep(rec.src_ip, rec.src_port)} -> ${ep(rec.dest_ip, rec.dest_port)}`
  );
}

/** An {@link EveSink} writing the alerts as fast.log lines. */
export class FastLogSink implements EveSink {
  private readonly file: LineFile;

  constructor(path: string, opts: EveFileOptions = {}) {
    this.file = new LineFile(path, opts);
  }

  write(rec: EveRecord): void {
    const line = fastLogLine(rec);
    if (line !== null) this.file.writeLine(line);
  }

  close(): void {
    this.file.close();
  }
}
