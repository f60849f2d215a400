/**
 * `sentra repl`: an interactive Sentra prompt with the builtins and every registered script host
 * (the same functions `sentra run` scripts get).
 */
import type { Command } from 'commander';
import { createRunContext, parseIfaceMap } from '../../lang/host.js';
import { createInterpreter } from '../../lang/interpreter.js';
import { startRepl } from '../../lang/repl.js';
import { disposeHosts, startHosts } from '../../lang/run-script.js';
import { action, type CommandRegistrar } from '../command.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { scriptHostProviders } from './run.js';

interface ReplCommandOptions {
  ifaceMap?: string[];
  json?: boolean;
}

async function replCommand(opts: ReplCommandOptions): Promise<ExitCodeValue> {
  const ifaceMap = parseIfaceMap(opts.ifaceMap ?? []);
  const controller = new AbortController();
  const write = (text: string) => void process.stdout.write(text);
  const ctx = createRunContext({ file: '<repl>', ifaceMap, signal: controller.signal, write });
  const { functions, hosts } = await startHosts(scriptHostProviders, ctx);
  try {
    const interpreter = createInterpreter({ hostFunctions: functions, stdout: write });
    const code = await startRepl({
      input: process.stdin,
      output: process.stdout,
      interpreter,
      terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      json: opts.json === true,
    });
    return code as ExitCodeValue;
  } finally {
    controller.abort();
    await disposeHosts(hosts, (m) => void process.stderr.write(`sentra: warning: ${m}\n`));
  }
}

export const registerRepl: CommandRegistrar = (program: Command) => {
  program
    .command('repl')
    .description('interactive Sentra prompt (multi-line input, values printed)')
    .option('--iface-map <name=iface...>', 'interface names mapped for host functions, e.g. eth0=veth-lab0')
    .option('--json', 'print {"value":...} or {"error":...} per input instead of text, and no prompts')
    .action(action(async (opts: ReplCommandOptions) => replCommand(opts)));
};
