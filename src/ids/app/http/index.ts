export { DEFAULT_HTTP_CONFIG, type HttpConfig, httpConfig } from './config.js';
export { type HttpEveRecord, httpEveRecord } from './eve.js';
export { type HttpEvent, HttpParser } from './parser.js';
export { HttpStats } from './stats.js';
export {
  HttpProgress,
  HttpRequest,
  HttpResponse,
  HttpTransaction,
  HttpTxFlag,
  headerValue,
} from './transaction.js';
export { normalizeUri } from './uri.js';
