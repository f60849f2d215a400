/**
 * `sentra vulndb import FILE`: merges an NVD CVE JSON 2.0 feed (plain or .gz), OSV records (a
 * file or a directory of them) into the local vulnerability database; `info` and `match` read it.
 */
import type { Command } from 'commander';
import { parseCpe } from '../../scan/cpe.js';
import { withSummary } from '../../scan/types.js';
import { matchServices } from '../../scan/vulns/match.js';
import { defaultDbPath, importIntoDb, VulnDb } from '../../scan/vulns/store.js';
import { action, writeJsonLine } from '../command.js';
import { formatTable } from '../table.js';

export function registerVulndb(program: Command): void {
  const cmd = program.command('vulndb').description('the local vulnerability database used by scan --vulns');

  cmd
    .command('import')
    .description('import an NVD CVE JSON 2.0 feed (.json or .json.gz) or OSV records (file or directory)')
    .argument('<file>', 'feed file or directory of OSV .json files')
    .option('--db <file>', `database file (default ${defaultDbPath()})`)
    .option('--json', 'print the result as JSON')
    .action(
      action((file: string, o: { db?: string; json?: boolean }) => {
        const r = importIntoDb(file, o.db);
        if (o.json) writeJsonLine(r);
        else {
          process.stdout.write(
            `imported ${r.imported} ${r.format.toUpperCase()} records from ${r.files} file(s) into ${r.db}: ` +
              `${r.added} new, ${r.updated} updated, ${r.skipped} skipped; ${r.total} records in total\n`,
          );
        }
      }),
    );

  cmd
    .command('info')
    .description('show which database scans use and how many records it has')
    .option('--db <file>', 'database file')
    .option('--json', 'print the result as JSON')
    .action(
      action((o: { db?: string; json?: boolean }) => {
        const db = VulnDb.open(o.db);
        const bySource: Record<string, number> = {};
        for (const r of db.records.values()) bySource[r.source] = (bySource[r.source] ?? 0) + 1;
        if (o.json) writeJsonLine({ path: db.source, records: db.size, by_source: bySource });
        else process.stdout.write(`${db.source}: ${db.size} records (${JSON.stringify(bySource)})\n`);
      }),
    );

  cmd
    .command('match')
    .description('list the records that apply to a product, given as a CPE 2.3 string with its version')
    .argument('<cpe>', 'e.g. cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*')
    .option('--db <file>', 'database file')
    .option('--json', 'print the result as JSON')
    .action(
      action((cpe: string, o: { db?: string; json?: boolean }) => {
        const c = parseCpe(cpe);
        const db = VulnDb.open(o.db);
        const service = withSummary({
          target: '',
          port: 0,
          protocol: 'tcp' as const,
          service: '',
          product: c.product,
          version:
            c.version === '*' ? '' : c.version + (c.update !== '*' && c.update !== '-' ? c.update : ''),
          extra: '',
          cpe,
          tunnel: '' as const,
          banner: '',
          probe: '',
          confidence: 'version' as const,
          summary: '',
        });
        const findings = matchServices([service], db);
        if (o.json) writeJsonLine({ cpe, findings });
        else if (findings.length === 0) process.stdout.write(`no record of ${db.source} matches ${cpe}\n`);
        else {
          process.stdout.write(
            formatTable(
              ['CVE', 'SEVERITY', 'CVSS', 'MATCHED'],
              findings.map((f) => [f.cve_id, f.severity, f.cvss ?? '', f.matched]),
            ),
          );
        }
      }),
    );
}
