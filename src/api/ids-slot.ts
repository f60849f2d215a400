/**
 * Where the spec's seven `ids_*` functions (section 4) plug into the facade. They are built in
 * src/api/ids.ts (the IDS work); until the lead wires them here they are simply absent from
 * {@link API_FUNCTIONS} — a script calling `ids_start` is told the name is undefined, rather
 * than getting a function that pretends to work.
 *
 * To wire them: export from src/api/ids.ts a table of {@link ApiFunction}s built with
 * `defineApi` (each `fn(ctx, ...specArgs)`: `ctx.mapInterface(iface)` for the interface,
 * `ctx.firewall()` for `ids_block_threat`, `ctx.onDispose(stop)` so an IDS a script started
 * stops when the script ends), and spread it into `IDS_API_FUNCTIONS` below.
 */
import type { ApiFunctionTable } from './types.js';

/** The spec's IDS function names, in the spec's order. */
export const IDS_FUNCTION_NAMES = [
  'ids_start',
  'ids_stop',
  'ids_add_rule',
  'ids_remove_rule',
  'ids_get_alerts',
  'ids_get_stats',
  'ids_block_threat',
] as const;

/** The IDS part of the function table: empty until src/api/ids.ts is wired in. */
export const IDS_API_FUNCTIONS: ApiFunctionTable = {};
