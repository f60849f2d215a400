/**
 * stream.async-oneside: a capture that holds only the server side of a session (SYN/ACK
 * first, the client never seen), as in suricata-verify http-async-srv, where Suricata parses
 * both HTTP responses of that one side.
 */
import { describe, expect, it } from 'vitest';
import { TcpSession, TcpState } from '../../../src/ids/stream/session.js';
import { TcpFlag as F } from '../../../src/packet/layers/constants.js';

const NONE = new Uint8Array(0);
const b = (s: string) => Buffer.from(s, 'latin1');

describe('TcpSession with asyncOneside', () => {
  it('off (default): a SYN/ACK-first session is not tracked', () => {
    const s = new TcpSession();
    s.handleSegment(1, F.SYN | F.ACK, 5000, 1001, NONE, 0);
    expect(s.tracked).toBe(false);
  });

  it('on: picked up at the SYN/ACK, established by the server side ACK, its data delivered', () => {
    const s = new TcpSession({ asyncOneside: true });
    s.handleSegment(1, F.SYN | F.ACK, 5000, 1001, NONE, 0);
    expect(s.tracked).toBe(true);
    expect(s.state).toBe(TcpState.SYN_RECV);
    s.handleSegment(1, F.ACK, 5001, 1001, NONE, 0);
    expect(s.established).toBe(true);
    expect(s.handleSegment(1, F.ACK | F.PSH, 5001, 1041, b('HTTP/1.0 200 OK\r\n\r\n'), 0)).toBe(19);
    const v = s.read(1);
    expect(Buffer.from(v).toString('latin1')).toBe('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('on: a session starting with plain data is still not tracked without midstream', () => {
    const s = new TcpSession({ asyncOneside: true });
    s.handleSegment(1, F.ACK, 5001, 1001, b('x'), 0);
    expect(s.tracked).toBe(false);
  });
});
