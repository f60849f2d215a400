/** Entry ids: `fw-rule-` and 12 hex digits (48 random bits). */
import { randomBytes } from 'node:crypto';

export function newId(): string {
  return 'fw-rule-' + randomBytes(6).toString('hex');
}

/** `n` fresh ids from one draw of random bytes (a bulk ban of 100,000 needs them fast). */
export function newIds(n: number): () => string {
  const buf = randomBytes(6 * n);
  let i = 0;
  return () => {
    const id = 'fw-rule-' + buf.toString('hex', i * 6, i * 6 + 6);
    i++;
    return id;
  };
}
