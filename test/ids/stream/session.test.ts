import { describe, expect, it } from 'vitest';
import { streamConfig } from '../../../src/ids/stream/config.js';
import { TcpSession, TcpState } from '../../../src/ids/stream/session.js';
import { TcpFlag as F } from '../../../src/packet/layers/constants.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const NONE = new Uint8Array(0);

/** A session after a complete handshake: client ISN `ci`, server ISN `si`. */
function handshake(s: TcpSession, ci = 1000, si = 5000): void {
  s.handleSegment(0, F.SYN, ci, 0, NONE, 0);
  s.handleSegment(1, F.SYN | F.ACK, si, ci + 1, NONE, 0);
  s.handleSegment(0, F.ACK, ci + 1, si + 1, NONE, 0);
}

function readAll(s: TcpSession, d: number): string {
  let out = '';
  for (let v = s.read(d); v.length > 0; v = s.read(d)) {
    out += Buffer.from(v).toString('latin1');
    s.consume(d, v.length);
  }
  return out;
}

describe('TcpSession state machine', () => {
  // Suricata's StreamTcpPacketSetState: ESTABLISHED, FIN_WAIT1/2, CLOSING and CLOSE_WAIT make
  // an established flow; LAST_ACK, TIME_WAIT and CLOSED a closed one
  it('is established after the 3-way handshake, through FIN_WAIT, until TIME_WAIT', () => {
    const s = new TcpSession();
    s.handleSegment(0, F.SYN, 1000, 0, NONE, 0);
    expect(s.state).toBe(TcpState.SYN_SENT);
    expect(s.established).toBe(false);
    s.handleSegment(1, F.SYN | F.ACK, 5000, 1001, NONE, 0);
    expect(s.state).toBe(TcpState.SYN_RECV);
    expect(s.established).toBe(false);
    s.handleSegment(0, F.ACK, 1001, 5001, NONE, 0);
    expect(s.established).toBe(true);
    expect(s.handleSegment(0, F.ACK | F.PSH, 1001, 5001, b('GET'), 0)).toBe(3);
    s.handleSegment(0, F.ACK | F.FIN, 1004, 5001, NONE, 0);
    expect(s.established).toBe(true);
    expect(s.state).toBe(TcpState.FIN_WAIT1);
    expect(s.closed(0)).toBe(true);
    expect(s.closed(1)).toBe(false);
    s.handleSegment(1, F.ACK, 5001, 1005, NONE, 0);
    expect(s.state).toBe(TcpState.FIN_WAIT2);
    expect(s.established).toBe(true);
    s.handleSegment(1, F.ACK | F.FIN, 5001, 1005, NONE, 0);
    expect(s.state).toBe(TcpState.TIME_WAIT);
    expect(s.established).toBe(false);
    expect(s.closed(1)).toBe(true);
    s.handleSegment(0, F.ACK, 1005, 5002, NONE, 0);
    expect(s.state).toBe(TcpState.CLOSED);
  });

  it('an RST closes both directions', () => {
    const s = new TcpSession();
    handshake(s);
    s.handleSegment(1, F.RST, 5001, 0, NONE, 0);
    expect(s.state).toBe(TcpState.CLOSED);
    expect(s.established).toBe(false);
    expect(s.closed(0) && s.closed(1)).toBe(true);
    expect(s.handleSegment(0, F.ACK, 1001, 5001, b('late'), 0)).toBe(0);
  });

  it('midstream off (default): a session without SYN is not tracked', () => {
    const s = new TcpSession();
    expect(s.handleSegment(0, F.ACK | F.PSH, 1, 2, b('data'), 0)).toBe(0);
    expect(s.tracked).toBe(false);
    expect(s.established).toBe(false);
    expect(s.stats.untrackedPackets).toBe(1);
  });

  it('midstream on: picked up established, the peer base taken from the ACK', () => {
    const s = new TcpSession({ midstream: true });
    expect(s.handleSegment(0, F.ACK | F.PSH, 100, 900, b('abc'), 0)).toBe(3);
    expect(s.established).toBe(true);
    expect(s.midstream).toBe(true);
    // the server's next byte is 900 (what the client acknowledged)
    expect(s.handleSegment(1, F.ACK, 905, 103, b('later'), 0)).toBe(0);
    expect(s.handleSegment(1, F.ACK, 900, 103, b('early'), 0)).toBe(10);
    expect(readAll(s, 1)).toBe('earlylater');
  });

  it('reset() makes the object reusable for a new flow', () => {
    const s = new TcpSession();
    handshake(s);
    s.handleSegment(0, F.ACK, 1001, 5001, b('xyz'), 0);
    s.reset();
    expect(s.state).toBe(TcpState.NONE);
    expect(s.available(0)).toBe(0);
    handshake(s, 7, 9);
    expect(s.handleSegment(0, F.ACK, 8, 10, b('new'), 0)).toBe(3);
    expect(readAll(s, 0)).toBe('new');
  });
});

describe('TcpSession reassembly', () => {
  it('delivers in order, buffers out-of-order data, ignores retransmissions', () => {
    const s = new TcpSession();
    handshake(s);
    expect(s.handleSegment(0, F.ACK, 1004, 5001, b('def'), 0)).toBe(0);
    expect(s.available(0)).toBe(0);
    expect(s.handleSegment(0, F.ACK, 1001, 5001, b('abc'), 0)).toBe(6);
    expect(s.handleSegment(0, F.ACK, 1001, 5001, b('abc'), 0)).toBe(0);
    expect(s.stats.retransmittedSegments).toBe(1);
    expect(readAll(s, 0)).toBe('abcdef');
    expect(s.delivered(0)).toBe(6);
  });

  it('overlaps: the bytes received first win (delivered and buffered)', () => {
    const s = new TcpSession();
    handshake(s);
    s.handleSegment(0, F.ACK, 1001, 5001, b('aaaa'), 0);
    s.handleSegment(0, F.ACK, 1009, 5001, b('cccc'), 0); // buffered
    // covers delivered bytes 2-3 (other values), the hole 4-7 and buffered 8-11 (other values)
    s.handleSegment(0, F.ACK, 1003, 5001, b('XXbbbbYYYYzz'), 0);
    expect(readAll(s, 0)).toBe('aaaabbbbcccczz');
    expect(s.stats.overlapDiffBytes).toBe(6);
  });

  it('sequence numbers wrap around 2^32', () => {
    const s = new TcpSession();
    handshake(s, 0xfffffffa, 0xfffffff0);
    // client data starts at 0xfffffffb: 5 bytes before the wrap, the rest after
    expect(s.handleSegment(0, F.ACK, 0x00000003, 0xfffffff1, b('89'), 0)).toBe(0);
    expect(s.handleSegment(0, F.ACK, 0xfffffffb, 0xfffffff1, b('01234567'), 0)).toBe(10);
    expect(readAll(s, 0)).toBe('0123456789');
    expect(s.handleSegment(1, F.ACK, 0xfffffff1, 5, b('x'.repeat(40)), 0)).toBe(40);
  });

  it('stops at the reassembly depth and counts the rest', () => {
    const s = new TcpSession({ depth: 10 });
    handshake(s);
    expect(s.handleSegment(0, F.ACK, 1001, 5001, b('0123456'), 0)).toBe(7);
    expect(s.handleSegment(0, F.ACK, 1008, 5001, b('789abc'), 0)).toBe(3);
    expect(s.handleSegment(0, F.ACK, 1014, 5001, b('def'), 0)).toBe(0);
    expect(readAll(s, 0)).toBe('0123456789');
    expect(s.stats.beyondDepthBytes).toBe(6);
    expect(s.stats.depthReached).toBe(1);
  });

  it('skips a hole when the out-of-order cap is reached, and counts it', () => {
    const s = new TcpSession({ maxOutOfOrderBytes: 8 });
    handshake(s);
    s.handleSegment(0, F.ACK, 1001, 5001, b('aa'), 0);
    expect(s.handleSegment(0, F.ACK, 1005, 5001, b('cccc'), 0)).toBe(0); // hole at 2-3
    expect(s.handleSegment(0, F.ACK, 1011, 5001, b('eeee'), 0)).toBe(0); // 8 bytes buffered
    // no room for 2 more: the hole at 2-3 is skipped, which frees the 4 bytes behind it
    expect(s.handleSegment(0, F.ACK, 1017, 5001, b('gg'), 0)).toBe(4);
    expect(readAll(s, 0)).toBe('aacccc');
    expect(s.stats.gaps).toBe(1);
    expect(s.stats.gapBytes).toBe(2);
    expect(s.dirs[0].firstGap).toBe(2);
    expect(s.dirs[0].pendingBytes).toBe(6);
    // a segment bigger than the cap skips straight to itself
    expect(s.handleSegment(0, F.ACK, 1031, 5001, b('z'.repeat(9)), 0)).toBe(4 + 2 + 9);
    expect(readAll(s, 0)).toBe('eeeegg' + 'z'.repeat(9));
    expect(s.stats.gaps).toBe(4);
  });

  it('skips bytes the peer acknowledged but the capture lost', () => {
    const s = new TcpSession();
    handshake(s);
    s.handleSegment(1, F.ACK, 5001, 1001, b('head'), 0);
    s.handleSegment(1, F.ACK, 5015, 1001, b('tail'), 0); // bytes 4-13 never captured
    expect(s.available(1)).toBe(4);
    expect(s.handleSegment(0, F.ACK, 1001, 5019, NONE, 0)).toBe(0);
    expect(s.available(1)).toBe(8);
    expect(readAll(s, 1)).toBe('headtail');
    expect(s.stats.gapBytes).toBe(10);
  });

  it('a read never spans a hole; takeGap() reports its size before the bytes after it', () => {
    const s = new TcpSession();
    handshake(s);
    s.handleSegment(0, F.ACK, 1001, 5001, b('before'), 0);
    s.handleSegment(0, F.ACK, 1011, 5001, b('after'), 0); // 4 bytes missing
    s.flush(0);
    expect(s.available(0)).toBe(11);
    expect(s.takeGap(0)).toBe(0);
    expect(Buffer.from(s.read(0)).toString()).toBe('before');
    s.consume(0, 6);
    expect(s.offset(0)).toBe(6);
    expect(s.takeGap(0)).toBe(4);
    expect(s.offset(0)).toBe(10);
    expect(Buffer.from(s.read(0)).toString()).toBe('after');
    s.consume(0, 5);
    expect(s.offset(0)).toBe(15);
  });

  it('flush() at the end of a flow delivers what waited behind a hole', () => {
    const s = new TcpSession();
    handshake(s);
    s.handleSegment(0, F.ACK, 1011, 5001, b('later'), 0);
    expect(s.flush(0)).toBe(5);
    expect(readAll(s, 0)).toBe('later');
    expect(s.offset(0)).toBe(15);
  });

  it('reads in bounded chunks, compacting as bytes are consumed', () => {
    const s = new TcpSession({ chunkSize: 1000 });
    handshake(s);
    let seq = 1001;
    const sent: number[] = [];
    for (let i = 0; i < 200; i++) {
      const seg = new Uint8Array(137).fill(i & 0xff);
      s.handleSegment(0, F.ACK, seq, 5001, seg, 0);
      seq += 137;
      sent.push(...seg);
      const v = s.read(0);
      expect(v.length).toBeLessThanOrEqual(1000);
      if (i % 3 === 0) s.consume(0, v.length);
    }
    const got = [...Buffer.from(readAll(s, 0), 'latin1')];
    expect(s.delivered(0)).toBe(200 * 137);
    expect(got.length).toBeLessThan(sent.length);
    expect(got).toEqual(sent.slice(sent.length - got.length));
  });

  it('held bytes: consumed with hold, kept through compaction and growth until release', () => {
    const s = new TcpSession({ chunkSize: 700 });
    handshake(s);
    let seq = 1001;
    const sent: number[] = [];
    let heldFrom = 0;
    for (let i = 0; i < 300; i++) {
      // varied sizes, small and past the 64-byte copy loop, so that the buffer compacts and grows
      const seg = Uint8Array.from({ length: 13 + ((i * 37) % 300) }, (_, k) => (i * 7 + k) & 0xff);
      s.handleSegment(0, F.ACK, seq, 5001, seg, 0);
      seq += seg.length;
      sent.push(...seg);
      for (let v = s.read(0); v.length > 0 && i % 2 === 0; v = s.read(0)) s.consume(0, v.length, true);
      const consumed = s.offset(0);
      expect(s.heldLength(0)).toBe(consumed - heldFrom);
      expect([...s.held(0)]).toEqual(sent.slice(heldFrom, consumed));
      if (i % 5 === 0) {
        s.release(0);
        heldFrom = consumed;
        expect(s.held(0).length).toBe(0);
      }
    }
    // the unread bytes are intact after all that
    const rest = [...Buffer.from(readAll(s, 0), 'latin1')];
    expect(rest).toEqual(sent.slice(sent.length - rest.length));
  });

  it('data in a SYN counts from the byte after the SYN', () => {
    const s = new TcpSession();
    expect(s.handleSegment(0, F.SYN, 100, 0, b('tfo'), 0)).toBe(3);
    expect(readAll(s, 0)).toBe('tfo');
  });

  it('rejects bad settings', () => {
    expect(() => streamConfig({ depth: -1 })).toThrow(/depth/);
    expect(() => streamConfig({ chunkSize: 0 })).toThrow(/chunkSize/);
  });
});
