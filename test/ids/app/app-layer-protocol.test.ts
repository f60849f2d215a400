/**
 * app-layer-protocol before protocol detection concludes: Suricata evaluates the keyword only
 * once the flow's protocol is known, so neither `http` nor `!http` matches an undetected flow
 * (suricata-verify detect-app-layer-protocol-01/-02 expect no alert on the handshake packets
 * of an HTTP flow).
 */
import { describe, expect, it } from 'vitest';
import { detectorFor, sids, tcpInput } from '../match-helpers.js';

describe('app-layer-protocol on a flow whose protocol is not known yet', () => {
  const det = detectorFor(
    [
      'alert tcp any any -> any any (app-layer-protocol:http; content:"x"; sid:1;)',
      'alert tcp any any -> any any (app-layer-protocol:!http; content:"x"; sid:2;)',
      'alert tcp any any -> any any (app-layer-protocol:failed; content:"x"; sid:3;)',
    ].join('\n'),
  );
  it('neither the protocol nor its negation matches', () => {
    expect(sids(det, tcpInput('x', { appProto: '' }))).toEqual([]);
  });
  it('once known, the negation matches other protocols, including a failed detection', () => {
    expect(sids(det, tcpInput('x', { appProto: 'http' }))).toEqual([1]);
    expect(sids(det, tcpInput('x', { appProto: 'failed' }))).toEqual([2, 3]);
  });
});
