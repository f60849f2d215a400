/**
 * The list of `sentra` commands. Each module's command lives in its own file here and adds
 * one import and one line to the list (one per line: .gitattributes merges this file as a union).
 */
import type { CommandRegistrar } from '../command.js';
import { registerCapture } from './capture.js';
import { registerDecode } from './decode.js';

import { registerLbCommand } from './lb.js';
import { registerProxyCommand } from './proxy.js';
import { registerRepl } from './repl.js';
import { registerRun } from './run.js';
import { registerTop } from './top.js';
export const commands: CommandRegistrar[] = [
  registerDecode,
  registerRun,
  registerRepl,
  registerProxyCommand,
  registerLbCommand,
  registerCapture,
  registerTop,
];
