/** IDS alert -> firewall ban: policy, escalating ban times, `ids_block_threat`. */
export { type AlertSeverity, type ResponseAlert, SEVERITIES, severityRank } from './alert.js';
export { type BanTimeIncrement, DEFAULT_FORMULA_FACTOR, escalatedBanTime } from './bantime.js';
export {
  AlertResponder,
  type BanSink,
  DEFAULT_RESPONSE_POLICY,
  type ResponderStats,
  type ResponseAction,
  type ResponseDecision,
  type ResponsePolicy,
} from './responder.js';
