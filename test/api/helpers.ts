/** Small helpers shared by the facade's tests (test/api and test/examples). */
import { SentraError } from '../../src/errors.js';
import type { NetnsLab } from '../helpers/netns.js';

/** The code of the SentraError `p` rejects with, or 'no error'. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SentraError) return e.code;
    throw e;
  }
  return 'no error';
}

/** True when a TCP connection from namespace `ns` to `ip:port` opens within a second. */
export async function connects(lab: NetnsLab, ns: string, ip: string, port: number): Promise<boolean> {
  try {
    await lab.exec(ns, ['nc', '-z', '-w', '1', ip, String(port)], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The number of echo replies `ping -c n` from namespace `ns` to `ip` got. */
export async function pingReplies(lab: NetnsLab, ns: string, ip: string, n: number): Promise<number> {
  const r = await lab
    .exec(ns, ['ping', '-n', '-c', String(n), '-i', '0.2', '-W', '1', ip], { timeoutMs: 20_000 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? -1);
}
