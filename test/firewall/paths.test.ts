import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SentraError } from '../../src/errors.js';
import { dataFile, sentraHome } from '../../src/sys/paths.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the data directory', () => {
  it('is $SENTRA_HOME when set, else /var/lib/sentra for root, else the XDG data home', () => {
    expect(sentraHome({ SENTRA_HOME: '/srv/s' })).toBe('/srv/s');
    const uid = process.getuid?.();
    if (uid === 0) expect(sentraHome({})).toBe('/var/lib/sentra');
    else expect(sentraHome({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/sentra');
  });

  it('is created (mode 0700) when a file in it is asked for; bad names are refused', () => {
    const home = path.join(tmp, 'home');
    const f = dataFile('firewall.db', { SENTRA_HOME: home });
    expect(f).toBe(path.join(home, 'firewall.db'));
    expect(existsSync(home)).toBe(true);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(() => dataFile('../etc/passwd', { SENTRA_HOME: home })).toThrow(SentraError);
    expect(() => dataFile('a/b', { SENTRA_HOME: home })).toThrow(SentraError);
  });
});
