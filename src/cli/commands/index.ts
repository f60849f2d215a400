/**
 * The list of `sentra` commands. Each module's command lives in its own file here and adds
 * one import and one line to the list (one per line: .gitattributes merges this file as a union).
 */
import type { CommandRegistrar } from '../command.js';
<<<<<<< HEAD
import { registerDecode } from './decode.js';

export const commands: CommandRegistrar[] = [registerDecode];
=======
import { registerLbCommand } from './lb.js';
import { registerProxyCommand } from './proxy.js';
import { registerRepl } from './repl.js';
import { registerRun } from './run.js';

export const commands: CommandRegistrar[] = [
  registerRun,
  registerRepl,
  registerProxyCommand,
  registerLbCommand,
];
>>>>>>> main
