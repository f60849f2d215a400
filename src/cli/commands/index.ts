/**
 * The list of `sentra` commands. Each module's command lives in its own file here and adds
 * one line below.
 */
import type { CommandRegistrar } from '../command.js';
import { registerFlows } from './flows.js';

export const commands: CommandRegistrar[] = [registerFlows];
