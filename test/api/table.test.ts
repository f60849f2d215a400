/**
 * The function table against the spec: every non-IDS function of the spec is there with the
 * spec's parameter names in the spec's order; the IDS ones are absent until wired; argument
 * checking gives SENTRA_ERR_INVALID_ARGUMENT naming the function and the argument.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  API_FUNCTIONS,
  ApiContext,
  apiScriptHost,
  argsFromNamed,
  CORE_API_FUNCTIONS,
  callApi,
  checkArgs,
  IDS_FUNCTION_NAMES,
} from '../../src/api/index.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { PROJECT_ROOT, sharedPath } from '../helpers/corpus.js';

const spec = readFileSync(sharedPath('spec', 'sentra-network-functions.md'), 'utf8');
/** `- \`name(a, b)\` - what` lines of the spec: name -> parameter names. */
const specFunctions = new Map(
  [...spec.matchAll(/^- `([a-z_]+)\(([^)]*)\)`/gm)].map((m) => [
    m[1],
    m[2]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]),
);

async function error(p: Promise<unknown> | (() => unknown)): Promise<SentraError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof SentraError) return e;
    throw e;
  }
  throw new Error('expected a SentraError');
}

describe('API_FUNCTIONS', () => {
  it('has the 44 functions of the spec, with its parameter names in its order', () => {
    expect(specFunctions.size).toBe(44);
    const nonIds = [...specFunctions.keys()].filter((n) => !n.startsWith('ids_'));
    expect(nonIds).toHaveLength(37);
    expect(Object.keys(CORE_API_FUNCTIONS)).toEqual(nonIds);
    expect(Object.keys(API_FUNCTIONS).sort()).toEqual([...specFunctions.keys()].sort());
    for (const name of specFunctions.keys()) {
      const params = API_FUNCTIONS[name].params.map((p) => p.name);
      expect(params.slice(0, specFunctions.get(name)?.length), name).toEqual(specFunctions.get(name));
      // extensions come after the spec's arguments and are optional
      for (const p of API_FUNCTIONS[name].params.slice(specFunctions.get(name)?.length)) {
        expect(p.optional, `${name}(${p.name})`).toBe(true);
      }
    }
  });

  it('wires the seven ids_* functions and exposes all 44 to scripts', () => {
    expect([...IDS_FUNCTION_NAMES]).toEqual([...specFunctions.keys()].filter((n) => n.startsWith('ids_')));
    for (const n of IDS_FUNCTION_NAMES) expect(Object.hasOwn(API_FUNCTIONS, n)).toBe(true);
    expect(apiScriptHost.functionNames).toEqual(Object.keys(API_FUNCTIONS));
  });

  it('docs/api.md lists every function with its signature', () => {
    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'api.md'), 'utf8');
    for (const [name, f] of Object.entries(API_FUNCTIONS)) {
      const sig = `${name}(${f.params.map((p) => (p.optional ? `${p.name}?` : p.name)).join(', ')})`;
      expect(doc, sig).toContain(`| \`${sig}\` |`);
    }
    for (const n of IDS_FUNCTION_NAMES) expect(doc).toContain(`\`${n}(`);
  });

  it('documents every parameter and result', () => {
    for (const [name, f] of Object.entries(API_FUNCTIONS)) {
      expect(f.summary, name).not.toBe('');
      expect(f.returns, name).not.toBe('');
      for (const p of f.params) expect(p.doc, `${name}(${p.name})`).not.toBe('');
    }
  });
});

describe('argument checks', () => {
  const ctx = new ApiContext();

  it('refuses a wrong type, naming the function, the argument and what it must be', async () => {
    const e = await error(callApi(ctx, 'firewall_block_ip', [42]));
    expect(e.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(e.message).toBe(
      "firewall_block_ip(ipAddress, duration?, reason?): argument 1 'ipAddress' must be a string (address or CIDR), got number 42",
    );
    expect(e.details).toMatchObject({ function: 'firewall_block_ip', argument: 'ipAddress' });
  });

  it('refuses a missing required argument and too many arguments', async () => {
    expect((await error(callApi(ctx, 'proxy_get_stats', []))).message).toMatch(
      /^proxy_get_stats\(proxyID\): argument 1 'proxyID' is missing/,
    );
    expect((await error(callApi(ctx, 'firewall_get_stats', [1]))).message).toBe(
      'firewall_get_stats() takes 0 arguments, got 1',
    );
    expect((await error(callApi(ctx, 'proxy_get_logs', ['a', 1, 2]))).message).toBe(
      'proxy_get_logs(proxyID, limit?) takes at most 2 arguments, got 3',
    );
  });

  it('checks ports, integers, maps and functions', () => {
    const params = [
      { name: 'port', type: 'port', doc: 'p' },
      { name: 'n', type: 'integer', optional: true, doc: 'n' },
      { name: 'm', type: 'map|function', optional: true, doc: 'm' },
    ] as const;
    expect(checkArgs('f', params, ['8080'])).toEqual([8080]);
    expect(checkArgs('f', params, [80, null, () => 1])[2]).toBeTypeOf('function');
    expect(() => checkArgs('f', params, [70000])).toThrow(/'port' must be a port number 0-65535/);
    expect(() => checkArgs('f', params, [80, 1.5])).toThrow(/'n' must be a whole number/);
    expect(() => checkArgs('f', params, [80, 1, [1]])).toThrow(
      /'m' must be a map or a function \(m\), got array/,
    );
  });

  it('an unknown function is NOT_FOUND; named arguments map onto positions', async () => {
    expect((await error(callApi(ctx, 'ids_launch', ['eth0', {}]))).code).toBe(ErrorCodes.NOT_FOUND);
    expect(argsFromNamed('proxy_get_logs', { limit: 5, proxyID: 'proxy-1' })).toEqual(['proxy-1', 5]);
    expect(() => argsFromNamed('proxy_get_logs', { count: 5 })).toThrow(
      "proxy_get_logs has no parameter 'count' (it takes proxyID, limit)",
    );
  });

  it('a module error keeps its own code (not found ids)', async () => {
    expect((await error(callApi(ctx, 'proxy_get_stats', ['proxy-999999']))).code).toBe(ErrorCodes.NOT_FOUND);
    expect((await error(callApi(ctx, 'network_get_bandwidth', ['monitor-999']))).code).toBe(
      ErrorCodes.NOT_FOUND,
    );
    expect((await error(callApi(ctx, 'capture_get_packets', ['capture-999', 5]))).code).toBe(
      ErrorCodes.NOT_FOUND,
    );
  });

  it('a disposed context refuses further calls', async () => {
    const c = new ApiContext();
    await c.dispose();
    expect((await error(callApi(c, 'firewall_list_rules', []))).code).toBe(ErrorCodes.INVALID_STATE);
  });
});
