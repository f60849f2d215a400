/**
 * The list of `sentra` commands. Each module's command lives in its own file here and adds
 * one line below.
 */
import type { CommandRegistrar } from '../command.js';
import { registerFirewall } from './firewall.js';
import { registerQos } from './qos.js';

export const commands: CommandRegistrar[] = [registerFirewall, registerQos];
