/**
 * Reassembled bytes of every TCP connection equal tshark's `-z follow,tcp,raw,N`, both
 * directions. Where our stream skipped a hole (capture loss: the peer acknowledged bytes that
 * are not in the capture), tshark's follow stops delivering the direction while we go on
 * after the hole, so the comparison there is up to the first hole (docs/ids-stream-http.md).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { CRAFTED_EXPECTED, craftedPcap } from './crafted.js';
import { type Conn, type FollowOut, reassembleFile, tsharkFollow, tsharkStreamCount } from './follow.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function match(conns: Conn[], t: FollowOut): { conn: Conn; flip: boolean } {
  for (const c of conns) {
    if (c.node0 === t.node0 && c.node1 === t.node1) return { conn: c, flip: false };
  }
  for (const c of conns) {
    if (c.node0 === t.node1 && c.node1 === t.node0) return { conn: c, flip: true };
  }
  throw new Error(`no reassembled connection ${t.node0} <-> ${t.node1}`);
}

/**
 * Compares every `every`-th stream (tshark's cost grows with the number of follow taps);
 * returns [identical, identical up to the first hole].
 */
async function compareFile(file: string, every = 1): Promise<[number, number]> {
  const conns = reassembleFile(file, { midstream: true, depth: 0 });
  const n = await tsharkStreamCount(file);
  expect(conns.length).toBe(n);
  const ids = Array.from({ length: n }, (_, i) => i).filter((i) => i % every === 0);
  const ts = await tsharkFollow(file, ids);
  expect(ts.length).toBe(ids.length);
  let same = 0;
  let upToGap = 0;
  for (const t of ts) {
    const { conn, flip } = match(conns, t);
    let gap = false;
    for (let d = 0; d < 2; d++) {
      const mine = conn.data[flip ? 1 - d : d];
      const dir = conn.session.dirs[flip ? 1 - d : d];
      const theirs = t.data[d];
      if (dir.firstGap < 0) {
        expect(mine.equals(theirs), `${file} ${t.node0} <-> ${t.node1} node ${d}`).toBe(true);
      } else {
        gap = true;
        expect(mine.subarray(0, dir.firstGap).equals(theirs.subarray(0, dir.firstGap))).toBe(true);
      }
    }
    if (gap) upToGap++;
    else same++;
  }
  return [same, upToGap];
}

describe('TCP reassembly vs tshark follow,tcp,raw', () => {
  it('lab-basic.pcap: every 8th of its 4115 connections', async () => {
    const [same, gap] = await compareFile(corpusPath('lab', 'lab-basic.pcap'), 8);
    expect(same + gap).toBe(515);
    expect(same).toBe(515);
  }, 400_000);

  it.each(['http-manipulated.pcap', 'exe_download.pcap', '1kxun.pcap', 'webex.pcap', 'skype.pcap'])(
    'nfstream %s',
    async (name) => {
      const [same, gap] = await compareFile(corpusPath('nfstream', 'pcaps', name));
      expect(same + gap).toBeGreaterThan(0);
      if (name === 'skype.pcap') expect(gap).toBeGreaterThan(0); // its capture lost segments
    },
    120_000,
  );

  it('suricata-verify HTTP test captures (http-evader and others)', async () => {
    const root = corpusPath('suricata-verify', 'tests');
    const dirs = readdirSync(path.join(root, 'http-evader'))
      .slice(0, 15)
      .map((d) => path.join(root, 'http-evader', d));
    for (const d of ['http-encoding-gzip-uncompressed', 'http-post-data-decompression', 'http-all-headers'])
      dirs.push(path.join(root, d));
    let files = 0;
    for (const d of dirs) {
      const pcap = readdirSync(d).find((f) => f.endsWith('.pcap'));
      if (!pcap) continue;
      await compareFile(path.join(d, pcap));
      files++;
    }
    expect(files).toBeGreaterThanOrEqual(18);
  }, 300_000);

  it('crafted: out-of-order, overlapping, retransmitted and wrapping segments', async () => {
    const file = path.join(tmp, 'crafted.pcap');
    writeFileSync(file, await craftedPcap());
    const [conn] = reassembleFile(file);
    expect(conn.data.map((b) => b.toString('latin1'))).toEqual(CRAFTED_EXPECTED);
    expect(conn.session.stats.overlapDiffBytes).toBe(10); // the Y bytes against the buffered C bytes
    expect(conn.session.stats.retransmittedSegments).toBe(1);
    expect(conn.session.stats.outOfOrderSegments).toBe(2);
    const [t] = await tsharkFollow(file, [0]);
    // the server side and every byte not overlapped with different values agree with tshark
    expect(t.data[1].toString('latin1')).toBe(CRAFTED_EXPECTED[1]);
    // tshark's follow lets the in-order segment overwrite the buffered out-of-order copy
    // (offsets 20-29: Y), where first-wins keeps the C bytes that arrived first
    const theirs = t.data[0].toString('latin1');
    expect(theirs.slice(0, 20) + theirs.slice(30)).toBe(
      CRAFTED_EXPECTED[0].slice(0, 20) + CRAFTED_EXPECTED[0].slice(30),
    );
    expect(theirs.slice(20, 30)).toBe('Y'.repeat(10));
  });
});
