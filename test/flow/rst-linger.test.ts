/**
 * FlowTable option rstLinger (used by the IDS, as Suricata keeps a reset flow until its
 * closed timeout): an RST closes the flow with the linger, so the stray RSTs and ACKs right
 * after it join it instead of starting one-packet flows (suricata-verify ips-state-1 expects
 * a single flow for a TLS connection that ends with three RSTs and an ACK).
 */
import { describe, expect, it } from 'vitest';
import { type EndedFlow, FlowTable } from '../../src/flow/table.js';
import { Decoder } from '../../src/packet/decoder.js';
import { tcpFrame } from './craft.js';

const T0 = 1_700_000_000;

function harness(rstLinger: boolean) {
  const ended: Array<{ reason: number; packets: number }> = [];
  const table = new FlowTable({
    rstLinger,
    detectApp: false,
    onFlow: (f: EndedFlow) => ended.push({ reason: f.reason, packets: 0 }),
  });
  const dec = new Decoder();
  const feed = (frame: Uint8Array, t: number) => {
    const p = dec.decodeBytes(
      frame,
      0,
      frame.length,
      frame.length,
      1,
      Math.floor(T0 + t),
      Math.round(((T0 + t) % 1) * 1e9),
    );
    const st = table.update(p);
    return st === null ? null : { id: st.id, isNew: st.isNew, closed: st.closed, ended: st.ended };
  };
  return { table, ended, feed };
}

const seg = (fwd: boolean, flags: string) => tcpFrame({ t: 0, fwd, flags, win: 1, hdr: 20, payload: 0 });

describe('FlowTable rstLinger', () => {
  it('off (default): an RST ends the flow at once and the next RST starts another', () => {
    const { feed, ended } = harness(false);
    feed(seg(true, 'S'), 0);
    expect(feed(seg(true, 'R'), 0.1)?.ended).toBe(true);
    expect(ended).toHaveLength(1);
    expect(feed(seg(true, 'R'), 0.11)).toMatchObject({ id: 2, isNew: true });
  });

  it('on: the RST closes the flow; stray RSTs and ACKs join it; it leaves after the linger', () => {
    const { feed, ended, table } = harness(true);
    feed(seg(true, 'S'), 0);
    expect(feed(seg(true, 'R'), 0.1)).toMatchObject({ id: 1, closed: true, ended: false });
    expect(feed(seg(true, 'R'), 0.11)).toMatchObject({ id: 1, isNew: false });
    expect(feed(seg(false, 'A'), 0.12)).toMatchObject({ id: 1, isNew: false });
    expect(ended).toHaveLength(0);
    table.tick((T0 + 2.2) * 1e6);
    expect(ended).toHaveLength(1);
  });

  it('on: a SYN after the RST starts a new flow', () => {
    const { feed } = harness(true);
    feed(seg(true, 'S'), 0);
    feed(seg(true, 'R'), 0.1);
    expect(feed(seg(true, 'S'), 0.2)).toMatchObject({ id: 2, isNew: true });
  });
});
