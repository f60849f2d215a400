#!/usr/bin/env node
/** The `sentra` command line: one program, one subcommand per task. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { commands } from './commands/index.js';
import { ExitCode } from './exit-codes.js';

/**
 * The program with the commands that `argv` needs: only the named subcommand's module when
 * argv names a known one (start-up then skips every other command's dependencies), all of them
 * for `--help`, no command, or an unknown name (so commander lists them or suggests one).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('sentra')
    .description('Network security automation: capture, flows, IDS, firewall, proxy, scanner, scripts')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const name = argv[2];
  const wanted = commands.filter((c) => name !== undefined && c.names.includes(name));
  for (const entry of wanted.length > 0 ? wanted : commands) (await entry.load())(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(argv);
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
