/**
 * Brute force at its thresholds (defaults): short sessions to an authentication port, and
 * HTTP 401/403 answers to one client; crafted complete TCP sessions through the engine (its
 * stream reassembly and HTTP parser produce the responses the detector counts).
 */
import { describe, expect, it } from 'vitest';
import { BruteForceDetector, BRUTEFORCE_SIGNATURES as S } from '../../src/detect/bruteforce.js';
import { DEFAULT_DETECT_CONFIG, resolveDetectConfig } from '../../src/detect/config.js';
import { T0, Traffic } from './craft.js';
import { bySid, craftedAlerts } from './run.js';
import { ATTACKER, httpAnswers, SERVER, sshAttempts } from './sessions.js';

const C = DEFAULT_DETECT_CONFIG.bruteforce;
const detect = (tr: Traffic) => craftedAlerts(tr, [new BruteForceDetector(resolveDetectConfig())]);

describe('short sessions to authentication services', () => {
  it(`${C.sessions - 1} SSH attempts: silent`, async () => {
    expect(bySid(await detect(sshAttempts(C.sessions - 1)), S.sessions.sid)).toEqual([]);
  });
  it(`${C.sessions}: one high alert naming the attacker, the server and port 22`, async () => {
    const a = bySid(await detect(sshAttempts(C.sessions)), S.sessions.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATTACKER);
    expect(a[0].dest_ip).toBe(SERVER);
    expect(a[0].dest_port).toBe(22);
    expect(a[0].alert.metadata?.service).toEqual(['ssh']);
    expect(a[0].alert.metadata?.severity).toEqual(['high']);
  });
  it('sessions to a port that is not an authentication service: silent', async () => {
    const tr = new Traffic();
    let t = T0;
    for (let i = 0; i < C.sessions + 2; i++) {
      t = tr.session(t + 0.2, ATTACKER, SERVER, 52000 + i, 8080, [
        { from: 'client', data: 'a' },
        { from: 'server', data: 'b' },
      ]);
    }
    expect(await detect(tr)).toEqual([]);
  });
});

describe('HTTP 401/403 bursts', () => {
  it(`${C.httpDenials - 1} answers 401: silent`, async () => {
    expect(bySid(await detect(httpAnswers(C.httpDenials - 1, 401)), S.http.sid)).toEqual([]);
  });
  it(`${C.httpDenials} answers 401: alert naming the client`, async () => {
    const a = bySid(await detect(httpAnswers(C.httpDenials, 401)), S.http.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATTACKER);
    expect(a[0].dest_port).toBe(80);
  });
  it(`${C.httpDenials} answers 403 alert too; 200 answers do not`, async () => {
    expect(bySid(await detect(httpAnswers(C.httpDenials, 403)), S.http.sid)).toHaveLength(1);
    expect(bySid(await detect(httpAnswers(C.httpDenials + 5, 200)), S.http.sid)).toEqual([]);
  });
});
