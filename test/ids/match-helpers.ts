/** Runs rules against hand-built packets and transactions. */
import { BufferId, bufferIdByName } from '../../src/ids/match/buffers.js';
import { Detector, MatchResult } from '../../src/ids/match/detect.js';
import { FlowVars } from '../../src/ids/match/flow-vars.js';
import { DetectInput, InputKind } from '../../src/ids/match/input.js';
import { loadRulesFromString } from '../../src/ids/rules/loader.js';
import { etClassifications } from './helpers.js';

export function detectorFor(rules: string): Detector {
  const r = loadRulesFromString(rules, { classifications: etClassifications(), references: new Map() });
  if (r.issues.length) throw new Error(JSON.stringify(r.issues));
  return new Detector(r.ruleSet);
}

export function tcpInput(payload: Uint8Array | string, over: Partial<DetectInput> = {}): DetectInput {
  const inp = new DetectInput();
  inp.kind = InputKind.PACKET;
  inp.ipVersion = 4;
  inp.src = new Uint8Array([192, 168, 1, 10]);
  inp.dst = new Uint8Array([203, 0, 113, 5]);
  inp.ipProto = 6;
  inp.srcPort = 40000;
  inp.dstPort = 80;
  inp.ttl = 64;
  inp.tcpFlags = 0x18;
  inp.hasFlow = true;
  inp.established = true;
  inp.toServer = true;
  inp.flowVars = new FlowVars();
  const data = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  inp.payloadLen = data.length;
  inp.buffers.setPacket(BufferId.PKT_DATA, data);
  Object.assign(inp, over);
  return inp;
}

/** Sids of the rules matching the input, in evaluation order. */
export function sids(det: Detector, input: DetectInput): number[] {
  const out = new MatchResult();
  det.detect(input, out);
  return out.rules.slice(0, out.count).map((r) => r.sid);
}

/** True when a single tcp rule with these options matches the payload. */
export function matches(options: string, payload: Uint8Array | string): boolean {
  const det = detectorFor(`alert tcp any any -> any any (${options} sid:1;)`);
  return sids(det, tcpInput(payload)).includes(1);
}

/** A transaction input with the given buffers (name -> value, on the request side unless `resp:`). */
export function txInput(bufs: Record<string, string>, over: Partial<DetectInput> = {}): DetectInput {
  const inp = tcpInput('', over);
  inp.kind = InputKind.TX;
  inp.appProto = over.appProto ?? 'http';
  inp.buffers.clear();
  for (const [k, v] of Object.entries(bufs)) {
    const resp = k.startsWith('resp:');
    const id = bufferIdByName(resp ? k.slice(5) : k);
    if (id === undefined) throw new Error(`no buffer ${k}`);
    inp.buffers.slot(id, !resp).add(Buffer.from(v, 'latin1'));
  }
  return inp;
}
