import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../src/ids/rules/loader.js';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-rules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function etFiles(): string[] {
  const dir = corpusPath('rules', 'et-open');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rules'))
    .map((f) => path.join(dir, f));
}

describe('ET Open', () => {
  it('loads at least 95% of the enabled rules; the rest are reported per keyword', () => {
    const r = loadRuleFiles(etFiles());
    expect(r.stats.enabled).toBe(24827);
    expect(r.stats.loaded / r.stats.enabled).toBeGreaterThanOrEqual(0.95);
    expect(r.stats.loaded + r.stats.failed).toBe(r.stats.enabled);
    expect(r.issues).toHaveLength(r.stats.failed);
    const perKeyword = Object.values(r.stats.unsupportedByKeyword).reduce((a, b) => a + b, 0);
    const perSyntax = Object.values(r.stats.syntaxByKeyword).reduce((a, b) => a + b, 0);
    const dups = r.issues.filter((i) => i.kind === 'duplicate').length;
    expect(perKeyword + perSyntax + dups).toBe(r.stats.failed);
    // every issue points at a real line holding that sid
    for (const i of r.issues.slice(0, 20)) expect(i.line).toBeGreaterThan(0);
  });
});

describe('sentra rules check', () => {
  const file = path.join(tmp, 'local.rules');
  writeFileSync(
    file,
    [
      'alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)',
      'alert tcp any any -> any any (msg:"tagged"; content:"a"; tag:session,5,packets; sid:2;)',
      '#alert tcp any any -> any any (msg:"off"; sid:3;)',
    ].join('\n'),
  );

  it('prints each rule left out with file:line and keyword, then a summary', async () => {
    const r = await runCli(['rules', 'check', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}:2: sid 2 unsupported tag: keyword "tag" is not supported`);
    expect(r.stdout).toMatch(/enabled\s+disabled\s+loaded/);
    expect(r.stdout).toMatch(/tag\s+unsupported\s+1/);
  });

  it('--json gives counts and issues; --strict fails on unsupported rules', async () => {
    const r = await runCli(['rules', 'check', '--json', file]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      files: 1,
      enabled: 2,
      disabled: 1,
      loaded: 1,
      failed: 1,
      unsupportedByKeyword: { tag: 1 },
    });
    expect(j.issues[0]).toMatchObject({ file, line: 2, sid: 2, kind: 'unsupported', keyword: 'tag' });
    expect((await runCli(['rules', 'check', '--strict', '-q', file])).code).toBe(2);
  });

  it('malformed rules give exit code 2; a missing file is an I/O error', async () => {
    const bad = path.join(tmp, 'bad.rules');
    writeFileSync(bad, 'alert tcp any any -> any any (content:"a"; depth:0; sid:1;)\n');
    expect((await runCli(['rules', 'check', bad])).code).toBe(2);
    const missing = await runCli(['rules', 'check', '--json', path.join(tmp, 'nope.rules')]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('SENTRA_ERR_IO');
  });
});

describe('built-in classification.config', () => {
  it('lets a rule file with standard classtypes load with no configuration', async () => {
    // No classification.config beside the file and none in /etc/suricata: a standard classtype
    // must come from Sentra's built-in file, and an unknown one must still be refused.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-rules-'));
    const file = path.join(dir, 'r.rules');
    writeFileSync(
      file,
      'alert tcp any any -> any 80 (msg:"x"; content:"abc"; classtype:web-application-attack; sid:1;)\n' +
        'alert tcp any any -> any 80 (msg:"y"; content:"abd"; classtype:no-such-class; sid:2;)\n',
    );
    const r = await runCli(['rules', 'check', '-q', '--json', file]);
    const out = JSON.parse(r.stdout);
    expect(out.loaded).toBe(1);
    expect(out.issues).toHaveLength(1);
    expect(out.issues[0].sid).toBe(2);
    expect(out.issues[0].keyword).toBe('classtype');
  });
});
