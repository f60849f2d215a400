/**
 * The list of `sentra` commands, in the order `sentra --help` shows them. Each module's
 * command lives in its own file here and adds one import and one entry.
 */
import type { CommandRegistrar } from '../command.js';
import { registerCapture } from './capture.js';
import { registerConformance } from './conformance.js';
import { registerDecode } from './decode.js';
import { registerFirewall } from './firewall.js';
import { registerFlows } from './flows.js';
import { registerIds } from './ids.js';
import { registerLbCommand } from './lb.js';
import { registerProxyCommand } from './proxy.js';
import { registerQos } from './qos.js';
import { registerRepl } from './repl.js';
import { registerRules } from './rules.js';
import { registerRun } from './run.js';
import { registerScan } from './scan.js';
import { registerTop } from './top.js';
import { registerVulndb } from './vulndb.js';

export const commands: CommandRegistrar[] = [
  registerDecode,
  registerFlows,
  registerCapture,
  registerTop,
  registerRules,
  registerIds,
  registerConformance,
  registerFirewall,
  registerQos,
  registerScan,
  registerVulndb,
  registerProxyCommand,
  registerLbCommand,
  registerRun,
  registerRepl,
];
