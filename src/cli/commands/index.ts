/**
 * The list of `sentra` commands. Each module's command lives in its own file here and adds
 * one line below.
 */
import type { CommandRegistrar } from '../command.js';
import { registerScan } from './scan.js';
import { registerVulndb } from './vulndb.js';

export const commands: CommandRegistrar[] = [registerScan, registerVulndb];
