import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('sentra CLI', () => {
  it('--help lists the program and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: sentra');
  });
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('an unknown command exits 2 (usage)', async () => {
    const r = await runCli(['no-such-command']);
    expect(r.code).toBe(2);
  });
});
