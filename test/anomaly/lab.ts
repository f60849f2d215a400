/**
 * Lab captures for the anomaly tests: a fresh run of ../shared/tools/lab-capture.sh (real
 * servers, clients and attack tools in namespaces the script builds and removes), and
 * benign-only copies filtered by tcpdump (every packet to or from the attacker removed).
 */
import { runCommand } from '../../src/sys/exec.js';
import { sharedPath } from '../helpers/corpus.js';

export const ATTACKER = '10.77.0.1';
export const ATTACKER6 = 'fd77::1';

/** Runs the lab script into `out` at `scale`; about 20 s plus 15 s per unit of scale. */
export async function makeLabCapture(out: string, scale: number): Promise<void> {
  const script = sharedPath('tools', 'lab-capture.sh');
  await runCommand(['bash', script, out, String(scale)], { timeoutMs: 240_000 });
}

/** Copies `input` to `out` without the attacker's packets (tcpdump does the filtering). */
export async function benignOnly(input: string, out: string): Promise<void> {
  await runCommand(['tcpdump', '-r', input, '-w', out, `not host ${ATTACKER} and not host ${ATTACKER6}`], {
    packageHint: 'tcpdump',
  });
}

/** Frame numbers that tshark selects with a display filter (the oracle for attack packets). */
export async function tsharkFrames(input: string, filter: string): Promise<Set<number>> {
  const r = await runCommand(['tshark', '-r', input, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    packageHint: 'tshark',
  });
  return new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number),
  );
}
