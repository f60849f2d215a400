/**
 * The spec's seven `ids_*` functions (section 4) in the facade's table. Each {@link ApiContext}
 * (a script run, the daemon, a program) gets its own {@link IdsService}: the IDSs a script
 * started stop when its context is disposed, interface names go through the context's
 * `--iface-map`, and bans (`ids_block_threat`, custom rules with action block, `auto_block`)
 * go through an {@link AlertResponder} over the context's firewall, opened only when the first
 * ban is asked for.
 */
import type { IdsAlert } from '../detect/alert-store.js';
import type { CustomRuleInput } from '../detect/custom-rules.js';
import { isCaptureFile } from '../detect/ids-instance.js';
import type { ApiContext } from './context.js';
import { IdsService, type IdsStartOptions } from './ids.js';
import { AlertResponder } from './response/responder.js';
import { type ApiFunctionTable, defineApi } from './types.js';

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

const services = new WeakMap<ApiContext, IdsService>();

/** The context's IDS service, made on first use and stopped with the context. */
export function idsServiceOf(ctx: ApiContext): IdsService {
  let svc = services.get(ctx);
  if (svc === undefined) {
    const made = new IdsService({
      responder: async () => new AlertResponder(await ctx.firewallInstance()),
    });
    services.set(ctx, made);
    ctx.onDispose(() => made.stopAll());
    svc = made;
  }
  return svc;
}

const IDS_ID = { name: 'idsID', type: 'string', doc: 'the id `ids_start` returned (`ids-N`)' } as const;

export const IDS_API_FUNCTIONS: ApiFunctionTable = {
  ids_start: defineApi({
    summary:
      'Start an IDS (signature rules, behavioural detectors, custom rules) on an interface or a capture file',
    params: [
      {
        name: 'interface',
        type: 'string',
        doc: 'interface name (renamed by --iface-map) or a pcap/pcapng path',
      },
      {
        name: 'rules',
        type: 'map',
        optional: true,
        doc: '`{detect_port_scan, detect_dos, detect_sql_injection, detect_brute_force, detect_web_attacks, rules, auto_block, ...}`',
      },
    ],
    returns: '`{id, interface, source_type, status, detectors, signature_rules, started_at}`',
    fn: (ctx, source: string, options?: IdsStartOptions | null) => {
      const src = typeof source === 'string' && !isCaptureFile(source) ? ctx.mapInterface(source) : source;
      const r = idsServiceOf(ctx).start(src, options ?? {});
      return { ...r, interface: source };
    },
  }),
  ids_stop: defineApi({
    summary: 'Stop an IDS; returns its final statistics',
    params: [IDS_ID],
    returns: 'the `ids_get_stats` fields and `success`',
    fn: (ctx, id: string) => idsServiceOf(ctx).stop(id),
  }),
  ids_add_rule: defineApi({
    summary: 'Add a custom rule `{name, pattern, severity, action}` or Suricata rule text',
    params: [
      IDS_ID,
      {
        name: 'rule',
        type: 'any',
        doc: '`{name, pattern, severity, action}` (docs/detect.md) or a Suricata rule string',
      },
    ],
    returns: '`{success, rule_id, ids_id, kind, name, pattern, severity, action, signature_ids}`',
    fn: (ctx, id: string, rule: CustomRuleInput | string) => idsServiceOf(ctx).addRule(id, rule),
  }),
  ids_remove_rule: defineApi({
    summary: 'Remove a rule added with ids_add_rule',
    params: [IDS_ID, { name: 'ruleID', type: 'string', doc: 'the `rule_id` ids_add_rule returned' }],
    returns: '`{success, rule_id, ids_id}`',
    fn: (ctx, id: string, ruleId: string) => idsServiceOf(ctx).removeRule(id, ruleId),
  }),
  ids_get_alerts: defineApi({
    summary: 'Alerts of an IDS, newest first',
    params: [
      IDS_ID,
      {
        name: 'severity',
        type: 'string',
        optional: true,
        doc: '`all` (default) or the lowest severity returned: `low medium high critical`',
      },
      {
        name: 'limit',
        type: 'integer',
        optional: true,
        doc: 'most alerts returned (default 100, 0 for all)',
      },
    ],
    returns: 'an array of `{id, message, severity, src_ip, dst_ip, protocol, timestamp, ...}`',
    fn: (ctx, id: string, severity?: string | null, limit?: number | null): IdsAlert[] =>
      idsServiceOf(ctx).getAlerts(id, severity ?? 'all', limit ?? 100),
  }),
  ids_get_stats: defineApi({
    summary: 'Counters of an IDS',
    params: [IDS_ID],
    returns: '`{packets_analyzed, alerts_generated, threats_blocked, alerts_by_severity, flows, ...}`',
    fn: (ctx, id: string) => idsServiceOf(ctx).stats(id),
  }),
  ids_block_threat: defineApi({
    summary: "Ban an alert's source in the firewall (an ordinary expiring ban)",
    params: [IDS_ID, { name: 'alertID', type: 'string', doc: 'the alert `id` (`alert-N`)' }],
    returns: '`{success, ids_id, action, ip, ...}` (the responder decision)',
    fn: (ctx, id: string, alertId: string) => idsServiceOf(ctx).blockThreat(id, alertId),
  }),
};
