/** Crafted login attempts shared by the brute-force and custom rule tests. */
import { T0, Traffic } from './craft.js';

export const ATTACKER = '10.7.0.66';
export const SERVER = '10.7.0.2';

/** `n` SSH connections each exchanging banners and one failed attempt, then closed. */
export function sshAttempts(n: number, tr = new Traffic(), from = ATTACKER): Traffic {
  let t = T0;
  for (let i = 0; i < n; i++) {
    t = tr.session(t + 0.2, from, SERVER, 50000 + i, 22, [
      { from: 'server', data: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' },
      { from: 'client', data: 'SSH-2.0-libssh2_1.10.0\r\n' },
      { from: 'client', data: 'x'.repeat(300) },
      { from: 'server', data: 'y'.repeat(200) },
    ]);
  }
  return tr;
}

/** `n` HTTP requests on one keep-alive connection, each answered `status`. */
export function httpAnswers(n: number, status: number, tr = new Traffic(), from = ATTACKER): Traffic {
  const msgs: Array<{ from: 'client' | 'server'; data: string }> = [];
  for (let i = 0; i < n; i++) {
    msgs.push({
      from: 'client',
      data: `GET /login HTTP/1.1\r\nHost: ${SERVER}\r\nAuthorization: Basic YWRtaW46cGFzcw==\r\n\r\n`,
    });
    msgs.push({ from: 'server', data: `HTTP/1.1 ${status} X\r\nContent-Length: 0\r\n\r\n` });
  }
  tr.session(T0, from, SERVER, 51000, 80, msgs);
  return tr;
}
