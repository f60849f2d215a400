/**
 * Sentra's public TypeScript API. Everything exported here is documented and stable within a
 * major version.
 */
export * from './errors.js';
export * from './net/address.js';
export * from './scan/index.js';
export { VERSION } from './version.js';
