import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overridesFromFlags } from '../../src/cli/commands/serve.js';
import { CONFIG_KEYS, defaultConfig, loadConfig, parseSetting } from '../../src/daemon/config.js';
import { tempDir } from './helpers.js';

function yaml(text: string): string {
  const f = path.join(tempDir('cfg'), 'sentra.yaml');
  writeFileSync(f, text);
  return f;
}

function configError(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as never;
  }
  throw new Error('expected an error');
}

describe('daemon configuration', () => {
  it('starts from defaults with no file: loopback, a port, EVE on, Redis off', () => {
    const c = loadConfig({ env: { SENTRA_HOME: '/tmp/sentra-x' } });
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.data_dir).toBe('/tmp/sentra-x');
    expect(c.outputs.eve.enabled).toBe(true);
    expect(c.outputs.redis.enabled).toBe(false);
  });

  it('reads a YAML file and lets flags override it', () => {
    const f = yaml('http:\n  port: 9001\noutputs:\n  redis:\n    enabled: true\n    mode: stream\n');
    const c = loadConfig({ file: f, overrides: { 'http.port': 9002 } });
    expect(c.http.port).toBe(9002);
    expect(c.outputs.redis.mode).toBe('stream');
  });

  it('names the key and the reason of a bad value', () => {
    const e1 = configError(() => loadConfig({ file: yaml('http:\n  port: 70000\n') }));
    expect(e1.code).toBe('SENTRA_ERR_INVALID_CONFIG');
    expect(e1.message).toContain('http.port');
    expect(e1.message).toContain('0 to 65535');
    expect(e1.details.key).toBe('http.port');
    const e2 = configError(() => loadConfig({ file: yaml('outputs:\n  redis:\n    mode: queue\n') }));
    expect(e2.details.key).toBe('outputs.redis.mode');
    expect(e2.message).toContain('one of list, rpush, stream, channel');
    const e3 = configError(() => loadConfig({ file: yaml('htp:\n  port: 1\n') }));
    expect(e3.details.key).toBe('htp');
    expect(e3.message).toContain('unknown key');
    const e4 = configError(() => loadConfig({ file: yaml('flows:\n  store: "yes"\n') }));
    expect(e4.details.key).toBe('flows.store');
    expect(e4.message).toContain('true or false');
    const e5 = configError(() => loadConfig({ file: yaml('http: [1, 2\n') }));
    expect(e5.code).toBe('SENTRA_ERR_INVALID_CONFIG');
    expect(e5.message).toContain('not valid YAML');
    const e6 = configError(() => loadConfig({ overrides: { 'http.host': 'localhost:80' } }));
    expect(e6.details.key).toBe('http.host');
  });

  it('every key can be set with --set, typed by the schema', () => {
    expect(CONFIG_KEYS.length).toBeGreaterThan(25);
    expect(parseSetting('storage.max_alerts=5')).toEqual({ key: 'storage.max_alerts', value: 5 });
    expect(parseSetting('capture.interface=null')).toEqual({ key: 'capture.interface', value: null });
    expect(parseSetting('ids.rules=a.rules,b.rules')).toEqual({
      key: 'ids.rules',
      value: ['a.rules', 'b.rules'],
    });
    expect(configError(() => parseSetting('flows.store=maybe')).details.key).toBe('flows.store');
    expect(configError(() => parseSetting('nope=1')).message).toContain('unknown key');
    // each key of the defaults is reachable by --set (the schema covers the whole object)
    const flat = (o: Record<string, unknown>, pre = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? flat(v as Record<string, unknown>, `${pre}${k}.`)
          : [`${pre}${k}`],
      );
    expect(flat(defaultConfig() as unknown as Record<string, unknown>).sort()).toEqual(
      [...CONFIG_KEYS].sort(),
    );
  });

  it('maps the serve flags onto keys', () => {
    const o = overridesFromFlags({
      port: '0',
      interface: 'eth1',
      rules: ['x.rules'],
      eve: false,
      redis: 'redis://127.0.0.1:1',
      set: ['storage.max_flows=10'],
    });
    expect(o).toMatchObject({
      'http.port': 0,
      'capture.interface': 'eth1',
      'ids.rules': ['x.rules'],
      'outputs.eve.enabled': false,
      'outputs.redis.enabled': true,
      'storage.max_flows': 10,
    });
  });
});
