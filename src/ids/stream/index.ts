export { DEFAULT_STREAM_CONFIG, type StreamConfig, streamConfig } from './config.js';
export { StreamDir, TcpSession, TcpState } from './session.js';
export { StreamStats } from './stats.js';
