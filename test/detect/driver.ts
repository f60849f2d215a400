/**
 * Test-only driver: capture file -> Decoder -> FlowTable -> observer hooks, the way the IDS
 * engine calls them, with HTTP heads taken from single segments (enough for crafted packets
 * and the lab capture). Alerts come back as EVE records through buildDetectorAlert.
 */
import { FlowTable } from '../../src/flow/table.js';
import type { EveAlertRecord } from '../../src/ids/eve.js';
import type { HttpRequestView, HttpResponseView } from '../../src/ids/match/http-buffers.js';
import { buildDetectorAlert, type PacketObserver, type TxMeta } from '../../src/ids/observer.js';
import { Decoder } from '../../src/packet/decoder.js';
import { readCapture } from '../../src/packet/file/reader.js';

export async function runObservers(file: string, observers: PacketObserver[]): Promise<EveAlertRecord[]> {
  const alerts: EveAlertRecord[] = [];
  for (const o of observers) o.attach({ emit: (a) => alerts.push(buildDetectorAlert(a, o.name)) });
  const table = new FlowTable({
    onFlow: (f) => {
      for (const o of observers) o.onFlowEnd?.(f);
    },
  });
  const decoder = new Decoder();
  let lastTick = 0;
  const pendingReq = new Map<number, HttpRequestView>();
  await readCapture(file, (rec) => {
    const pkt = decoder.decode(rec);
    const t = pkt.tsSec * 1e6 + Math.floor(pkt.tsNsec / 1000);
    if (t - lastTick >= 1e6) {
      for (const o of observers) o.tick?.(t);
      lastTick = t;
    }
    const flow = table.update(pkt);
    for (const o of observers) o.onPacket?.(pkt, flow, t);
    if (flow === null) return;
    const ip = pkt.innermost();
    const msgs = ip.httpMessages();
    for (const m of msgs) {
      const toServer = flow.direction === 0;
      const src = ip.buf.slice(ip.srcOffset, ip.srcOffset + (ip.ipVersion === 4 ? 4 : 16));
      const dst = ip.buf.slice(ip.dstOffset, ip.dstOffset + (ip.ipVersion === 4 ? 4 : 16));
      const meta: TxMeta = {
        flowId: flow.id,
        timeUs: t,
        ipVersion: ip.ipVersion,
        client: toServer ? src : dst,
        server: toServer ? dst : src,
        clientPort: toServer ? ip.srcPort : ip.dstPort,
        serverPort: toServer ? ip.dstPort : ip.srcPort,
        txId: 0,
      };
      const headers = m.headers.map(([name, value]) => ({ name, value }));
      if (m.kind === 'request') {
        const end = ip.payloadOffset + ip.payloadCapLen;
        const text = Buffer.from(ip.buf.subarray(ip.payloadOffset, end)).toString('latin1');
        const bodyAt = text.indexOf('\r\n\r\n');
        const req: HttpRequestView = {
          method: m.method,
          rawUri: m.uri,
          normalizedUri: m.uri,
          protocol: m.version,
          headers,
          body: bodyAt >= 0 ? Buffer.from(text.slice(bodyAt + 4), 'latin1') : new Uint8Array(0),
        };
        pendingReq.set(flow.id, req);
        for (const o of observers) o.onHttpRequest?.(req, meta);
      } else {
        const resp: HttpResponseView = {
          protocol: m.version,
          statusCode: String(m.statusCode),
          statusMsg: m.reason,
          headers,
        };
        const req = pendingReq.get(flow.id) ?? null;
        for (const o of observers) o.onHttpResponse?.(resp, req, meta);
      }
    }
  });
  table.flush();
  for (const o of observers) o.finish?.();
  return alerts;
}
