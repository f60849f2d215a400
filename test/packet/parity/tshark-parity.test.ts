/**
 * Parity with tshark: every field `sentra decode --json` prints, on every packet of every
 * capture of the corpus, equals what `tshark -T fields` prints, except the differences listed
 * with their reason in exceptions.ts.
 *
 * tshark starts slowly, so the corpus is merged (mergecap -a) into a few files. Files are
 * grouped so that no two files of a group share a conversation: tshark keeps per-conversation
 * state, and two unrelated captures with the same addresses and ports would otherwise change
 * each other's dissection. tshark runs statelessly per packet, as Sentra decodes: no TCP
 * reassembly, no IP defragmentation, no TCP sequence analysis (which hides the payload of
 * retransmissions from the dissectors).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoder } from '../../../src/packet/decoder.js';
import { readCapture, readCaptureBuffer } from '../../../src/packet/file/reader.js';
import { DECODE_FIELDS, packetFields } from '../../../src/packet/format/fields.js';
import { runCommand } from '../../../src/sys/exec.js';
import { CORPUS_ROOT, corpusFiles } from '../../helpers/corpus.js';
import { KNOWN_EXCEPTIONS, type Mismatch } from './exceptions.js';

const FOLDERS = ['lab', 'nfstream', 'attacks', 'tcp-control', 'cicflowmeter', 'suricata-verify'];
const TSHARK_PREFS = [
  'tcp.desegment_tcp_streams:FALSE',
  'ip.defragment:FALSE',
  'ipv6.defragment:FALSE',
  'tcp.analyze_sequence_numbers:FALSE',
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Splits files into groups in which no conversation (address/port pair) appears twice. */
function groupByConversation(files: string[]): string[][] {
  const dec = new Decoder();
  const groups: { keys: Set<string>; files: string[] }[] = [];
  for (const f of files) {
    const keys = new Set<string>();
    try {
      readCaptureBuffer(readFileSync(f), (rec) => {
        for (let p: ReturnType<Decoder['decode']> | null = dec.decode(rec); p !== null; p = p.inner) {
          if (p.ipVersion === 0) continue;
          const a = `${p.srcAddr()}/${p.srcPort}`;
          const b = `${p.dstAddr()}/${p.dstPort}`;
          keys.add(a < b ? `${a} ${b}` : `${b} ${a}`);
        }
      });
    } catch {
      // a damaged corpus file still goes in; the packets before the damage were keyed
    }
    let g = groups.find((x) => ![...keys].some((k) => x.keys.has(k)));
    if (g === undefined) {
      g = { keys: new Set(), files: [] };
      groups.push(g);
    }
    for (const k of keys) g.keys.add(k);
    g.files.push(f);
  }
  return groups.map((g) => g.files);
}

interface Group {
  file: string;
  members: string[];
  rows: string[];
}

const groups: Group[] = [];

beforeAll(async () => {
  const files = FOLDERS.flatMap((d) => corpusFiles(d));
  const sets = groupByConversation(files);
  const fieldArgs = [...DECODE_FIELDS, 'frame.protocols'].flatMap((f) => ['-e', f]);
  const prefArgs = TSHARK_PREFS.flatMap((p) => ['-o', p]);
  let i = 0;
  const work = sets.map((members) => ({ members, file: path.join(dir, `group-${i++}.pcapng`) }));
  // two at a time: the machine has two cores
  const run = async () => {
    for (let w = work.shift(); w !== undefined; w = work.shift()) {
      await runCommand(['mergecap', '-a', '-w', w.file, ...w.members], { timeoutMs: 120_000 });
      const r = await runCommand(
        [
          'tshark',
          '-r',
          w.file,
          '-T',
          'fields',
          '-E',
          'occurrence=a',
          '-E',
          'aggregator=,',
          ...prefArgs,
          ...fieldArgs,
        ],
        { timeoutMs: 300_000 },
      );
      const rows = r.stdout.split('\n');
      rows.pop();
      groups.push({ file: w.file, members: w.members, rows });
    }
  };
  await Promise.all([run(), run()]);
}, 600_000);

describe('tshark parity over the whole corpus', () => {
  it('every field of every packet equals tshark -T fields, apart from the known exceptions', async () => {
    const unexplained: string[] = [];
    const used = new Map<string, number>();
    let packets = 0;
    let compared = 0;
    for (const g of groups) {
      const dec = new Decoder();
      let i = 0;
      await readCapture(g.file, (rec) => {
        const p = dec.decode(rec);
        const ours = packetFields(p);
        const theirs = (g.rows[i++] ?? '').split('\t');
        const protos = theirs[DECODE_FIELDS.length] ?? '';
        for (let j = 0; j < DECODE_FIELDS.length; j++) {
          const field = DECODE_FIELDS[j];
          const o = ours[field] ?? '';
          const t = theirs[j] ?? '';
          if (o !== '' || t !== '') compared++;
          if (o === t) continue;
          const m: Mismatch = { field, ours: o, theirs: t, protos, packet: p };
          const ex = KNOWN_EXCEPTIONS.find((e) => e.matches(m));
          if (ex) used.set(ex.name, (used.get(ex.name) ?? 0) + 1);
          else if (unexplained.length < 40) {
            unexplained.push(
              `${path.basename(g.file)} frame ${i} ${field}: ours=${JSON.stringify(o)} tshark=${JSON.stringify(t)} [${protos}]`,
            );
          }
        }
      });
      expect(i, `packets of ${path.basename(g.file)}`).toBe(g.rows.length);
      packets += i;
    }
    console.info(
      `tshark parity: ${packets} packets, ${compared} field values; known differences: ` +
        KNOWN_EXCEPTIONS.map((e) => `${e.name} ${used.get(e.name) ?? 0}`).join(', '),
    );
    expect(unexplained).toEqual([]);
    // the corpus is ~131,000 packets; all of them were compared
    expect(packets).toBeGreaterThan(130_000);
    expect(compared).toBeGreaterThan(1_000_000);
    for (const ex of KNOWN_EXCEPTIONS) {
      expect(used.get(ex.name) ?? 0, `exception "${ex.name}" no longer occurs: remove it`).toBeGreaterThan(0);
    }
  }, 600_000);

  it('merges every corpus capture', () => {
    const members = groups.flatMap((g) => g.members).map((f) => path.relative(CORPUS_ROOT, f));
    expect(new Set(members).size).toBe(FOLDERS.flatMap((d) => corpusFiles(d)).length);
  });
});
