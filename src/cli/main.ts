#!/usr/bin/env node
/** The `sentra` command line: one program, one subcommand per task. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { commands } from './commands/index.js';
import { ExitCode } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sentra')
    .description('Network security automation: capture, flows, IDS, firewall, proxy, scanner, scripts')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      process.exitCode = e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    throw e;
  }
}

main(process.argv).catch((e) => {
  process.stderr.write(
    `sentra: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exitCode = ExitCode.FAILURE;
});
