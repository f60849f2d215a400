/** Service detection over UDP: the UDP scan's protocol payload, its answer matched like a TCP probe's. */
import dgram from 'node:dgram';
import { serviceNameForPort } from '../ports/port-spec.js';
import { udpPayload } from '../ports/udp/probes.js';
import type { ResolvedTarget } from '../target.js';
import { type ServiceInfo, withSummary } from '../types.js';
import { matchAnswer, printable } from './match.js';

function ask(t: ResolvedTarget, port: number, payload: Buffer, waitMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(t.family === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (b: Buffer | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    const timer = setTimeout(() => finish(null), waitMs);
    sock.on('message', (m) => finish(m));
    sock.on('error', () => finish(null));
    sock.connect(port, t.address, () => sock.send(payload, (e) => e && finish(null)));
  });
}

const UDP_SERVICES: Record<number, string> = {
  53: 'domain',
  123: 'ntp',
  161: 'snmp',
  137: 'netbios-ns',
  5353: 'mdns',
};

export async function detectUdpService(t: ResolvedTarget, port: number, waitMs = 2000): Promise<ServiceInfo> {
  let answer: Buffer | null = null;
  for (let i = 0; i < 2 && !answer; i++) answer = await ask(t, port, udpPayload(port), waitMs);
  const m = answer && (port === 53 || port === 5353) ? matchAnswer('dns-version', answer) : null;
  let extra = m?.extra ?? '';
  if (answer && port === 123 && answer.length >= 48)
    extra = `NTP v${(answer[0] >> 3) & 7}, stratum ${answer[1]}`;
  if (answer && port === 161) {
    // sysDescr is the last OCTET STRING of the response
    const s = answer.toString('latin1');
    const i = s.lastIndexOf('\x04');
    if (i >= 0 && i + 2 <= s.length)
      extra = s.slice(i + 2, i + 2 + answer[i + 1]).replace(/[^\x20-\x7e]/g, ' ');
  }
  const service = m?.service ?? UDP_SERVICES[port] ?? serviceNameForPort(port, 'udp');
  const info: ServiceInfo = {
    target: t.target,
    port,
    protocol: 'udp',
    service,
    product: m?.product ?? '',
    version: m?.version ?? '',
    extra,
    cpe: m?.cpe ?? '',
    tunnel: '',
    banner: answer ? printable(answer) : '',
    probe: answer ? 'udp' : '',
    confidence: !answer
      ? 'port'
      : m && !m.soft && m.product
        ? m.version
          ? 'version'
          : 'product'
        : 'service',
    summary: '',
  };
  info.summary = `${port}/udp ${service}${info.product ? ' ' + info.product : ''}${info.version ? ' ' + info.version : ''}${
    extra ? ` (${extra})` : ''
  }${answer ? '' : ' (no answer)'}`;
  return withSummary(info);
}
