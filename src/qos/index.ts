/** Traffic shaping per address: tc HTB classes and u32 filters, egress and (through ifb) ingress. */
export { formatRate, MAX_RATE_KBIT, MIN_RATE_KBIT, parseRate } from './rate.js';
export { type LimitInput, type QosLimitRecord, QosManager, type QosOptions } from './shaper.js';
export type { QosDirection } from './store.js';
