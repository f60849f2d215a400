/**
 * The lazy command index: every entry's names are exactly the top-level commands its module
 * registers (main.ts loads one module by name, so a wrong name would hide a command), and
 * `sentra --help` still lists every command.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { runCli } from '../helpers/cli.js';

describe('the command index', () => {
  it('names, per entry, the top-level commands its module registers', async () => {
    for (const entry of commands) {
      const program = new Command();
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...entry.names].sort());
    }
  });

  it('sentra --help lists every command; a command run alone still gets its own help', async () => {
    const all = commands.flatMap((c) => c.names);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const n of all) expect(help.stdout).toMatch(new RegExp(`^\\s+${n}\\b`, 'm'));
    const flows = await runCli(['flows', '--help']);
    expect(flows.code).toBe(0);
    expect(flows.stdout).toContain('--idle-timeout');
  });

  it('an unknown command is refused with usage exit code 2 and a suggestion', async () => {
    const r = await runCli(['flow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'flow'/);
    expect(r.stderr).toMatch(/flows/);
  });
});
