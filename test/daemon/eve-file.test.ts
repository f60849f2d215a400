import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EveFile } from '../../src/daemon/outputs/eve-file.js';
import { tempDir } from './helpers.js';

const line = (i: number) => JSON.stringify({ event_type: 'alert', n: i, pad: 'x'.repeat(80) });

describe('EVE file output', () => {
  it('rotates by size and keeps N old files, each made of whole lines', () => {
    const dir = tempDir('eve');
    const file = path.join(dir, 'eve.json');
    const eve = EveFile.open(file, { maxBytes: 1000, keep: 2, fsync: false });
    for (let i = 0; i < 50; i++) eve.write([line(i)]);
    eve.close();
    expect(readdirSync(dir).sort()).toEqual(['eve.json', 'eve.json.1', 'eve.json.2']);
    const all: number[] = [];
    for (const f of ['eve.json.2', 'eve.json.1', 'eve.json']) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      expect(text.length).toBeLessThanOrEqual(1000);
      expect(text.endsWith('\n')).toBe(true);
      for (const l of text.trimEnd().split('\n')) all.push(JSON.parse(l).n);
    }
    // the newest lines, in order, none lost within the kept files
    expect(all).toEqual(Array.from({ length: all.length }, (_, k) => 50 - all.length + k));
    expect(eve.rotations).toBeGreaterThan(2);
  });

  it('cuts a partial last line left by a crash when it opens', () => {
    const dir = tempDir('eve');
    const file = path.join(dir, 'eve.json');
    writeFileSync(file, `${line(1)}\n${line(2)}\n`);
    appendFileSync(file, '{"event_type":"alert","n":3,"pa');
    const eve = EveFile.open(file, { maxBytes: 0, keep: 0, fsync: true });
    expect(eve.repairedBytes).toBe('{"event_type":"alert","n":3,"pa'.length);
    eve.write([line(4)]);
    eve.close();
    const ns = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).n);
    expect(ns).toEqual([1, 2, 4]);
  });
});
