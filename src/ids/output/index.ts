/** IDS outputs: EVE JSON lines (with size rotation), fast.log, in-memory records. */
export { type EveFileOptions, EveFileSink, LineFile, MemorySink } from './eve-file.js';
export { FastLogSink, fastLogLine } from './fast-log.js';
