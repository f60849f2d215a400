/**
 * Lab captures and their labels for the anomaly benchmarks. Captures come from
 * ../shared/tools/lab-capture.sh (made once, kept in bench/.data). The truth file names the
 * attacker (10.77.0.1, fd77::1) but gives no times, so each attacker packet gets the attack
 * of the phase it falls in; the script runs its attacks in a fixed order, and the first
 * packet of each phase is recognisable:
 *
 *   port_scan         the attacker's first packet
 *   web_attacks       first "GET /search" from the attacker (SQL injection, XSS, traversal)
 *   brute_force_http  first "GET /login"
 *   brute_force_ssh   first attacker packet to :22 after that
 *   syn_flood         first option-less SYN to :80 (hping3)
 *   udp_flood         first attacker UDP datagram to :53
 *
 * Every packet to or from the attacker is labelled with the current phase; all else is benign.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Layer, TcpFlag } from '../src/packet/layers/constants.js';
import type { Packet } from '../src/packet/packet.js';
import { runCommand } from '../src/sys/exec.js';

export const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), '.data');
export const PHASES = [
  'port_scan',
  'web_attacks',
  'brute_force_http',
  'brute_force_ssh',
  'syn_flood',
  'udp_flood',
] as const;
export type Phase = (typeof PHASES)[number];
/** Label of a packet: -1 benign, else an index in {@link PHASES}. */
export const BENIGN = -1;

const ATT4 = ((10 << 24) | (77 << 16) | 1) >>> 0;

function attackerInvolved(p: Packet): boolean {
  if (p.ipVersion === 4) return p.src4 >>> 0 === ATT4 || p.dst4 >>> 0 === ATT4;
  if (p.ipVersion === 6) {
    const is = (a: Uint32Array) => a[0] === 0xfd770000 && a[1] === 0 && a[2] === 0 && a[3] === 1;
    return is(p.src6) || is(p.dst6);
  }
  if ((p.layers & Layer.ARP) !== 0 && p.arpIpv4)
    return p.arpSenderIp >>> 0 === ATT4 || p.arpTargetIp >>> 0 === ATT4;
  return false;
}

function startsWith(p: Packet, text: string): boolean {
  if (p.payloadLen < text.length) return false;
  for (let i = 0; i < text.length; i++) if (p.buf[p.payloadOffset + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Labels packets in capture order (feed every packet once). */
export class PhaseLabeller {
  private phase = -1;

  label(p: Packet): number {
    if (!attackerInvolved(p)) return BENIGN;
    const fromAttacker = p.ipVersion === 4 && p.src4 >>> 0 === ATT4;
    const tcp = (p.layers & Layer.TCP) !== 0;
    if (this.phase < 0) this.phase = 0;
    if (fromAttacker && tcp && p.dstPort === 80) {
      if (this.phase < 1 && startsWith(p, 'GET /search')) this.phase = 1;
      if (this.phase < 2 && startsWith(p, 'GET /login')) this.phase = 2;
      if (this.phase < 4 && this.phase >= 2 && p.tcpFlags === TcpFlag.SYN && p.tcpHeaderLen === 20)
        this.phase = 4;
    }
    if (fromAttacker && tcp && this.phase === 2 && p.dstPort === 22) this.phase = 3;
    if (fromAttacker && (p.layers & Layer.UDP) !== 0 && p.dstPort === 53 && this.phase >= 2) this.phase = 5;
    return this.phase;
  }
}

/** A lab capture at `scale` in bench/.data (made with the shared lab script when missing). */
export async function labCapture(scale: number, tag = 'a'): Promise<string> {
  mkdirSync(DATA, { recursive: true });
  const file = path.join(DATA, `anomaly-lab-s${scale}-${tag}.pcap`);
  if (!existsSync(file)) {
    const script = path.resolve(DATA, '..', '..', '..', 'shared', 'tools', 'lab-capture.sh');
    process.stderr.write(`making ${file} with ${script} (scale ${scale})...\n`);
    await runCommand(['bash', script, file, String(scale)], { timeoutMs: 900_000 });
  }
  return file;
}
