/**
 * `sentra rules check FILE...`: loads Suricata rule files as the IDS would and reports how many
 * rules load, which were left out (file:line, sid, keyword, reason) and counts per keyword.
 */
import type { Command } from 'commander';
import { loadRuleFiles } from '../../ids/rules/loader.js';
import { loadVarsFile } from '../../ids/rules/vars.js';
import { action, type CommandRegistrar, writeJsonLine } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { formatTable } from '../table.js';

interface CheckOptions {
  json?: boolean;
  config?: string;
  classification?: string;
  reference?: string;
  strict?: boolean;
  quiet?: boolean;
}

export const registerRules: CommandRegistrar = (program: Command) => {
  const rules = program.command('rules').description('Suricata/Snort rule files');
  rules
    .command('check')
    .description('load rule files and report the rules that cannot be used, per keyword')
    .argument('<files...>', 'rule files (.rules)')
    .option('--config <yaml>', 'YAML with vars: address-groups / port-groups (suricata.yaml works)')
    .option(
      '--classification <file>',
      'classification.config (default: beside the rules, then /etc/suricata, then the built-in one)',
    )
    .option(
      '--reference <file>',
      'reference.config (default: beside the rules, then /etc/suricata, then the built-in one)',
    )
    .option('--strict', 'exit with code 2 when any rule is left out, not only malformed ones')
    .option('-q, --quiet', 'print the summary only, not every rule left out')
    .option('--json', 'print one JSON object')
    .action(
      action(async (files: string[], opts: CheckOptions) => {
        const progress = createProgress({
          total: files.length,
          label: 'rules',
          unit: 'files',
          enabled: opts.json ? false : undefined,
        });
        const result = loadRuleFiles(files, {
          vars: opts.config ? loadVarsFile(opts.config) : undefined,
          classificationFile: opts.classification,
          referenceFile: opts.reference,
          onProgress: (done) => progress.update(done),
        });
        progress.stop();
        const { stats, issues } = result;
        const pct = stats.enabled === 0 ? 100 : (100 * stats.loaded) / stats.enabled;
        const syntaxErrors = issues.filter((i) => i.kind !== 'unsupported').length;
        if (opts.json) {
          writeJsonLine({
            files: stats.files,
            enabled: stats.enabled,
            disabled: stats.disabled,
            loaded: stats.loaded,
            failed: stats.failed,
            loadedPercent: Math.round(pct * 100) / 100,
            unsupportedByKeyword: stats.unsupportedByKeyword,
            syntaxByKeyword: stats.syntaxByKeyword,
            parseMs: Math.round(stats.parseMs),
            buildMs: Math.round(stats.buildMs),
            issues,
          });
        } else {
          if (!opts.quiet) {
            for (const i of issues) {
              const sid = i.sid !== null ? ` sid ${i.sid}` : '';
              process.stdout.write(`${i.file}:${i.line}:${sid} ${i.kind} ${i.keyword}: ${i.message}\n`);
            }
            if (issues.length) process.stdout.write('\n');
          }
          process.stdout.write(
            formatTable(
              ['files', 'enabled', 'disabled', 'loaded', 'left out', 'loaded %', 'load ms'],
              [
                [
                  stats.files,
                  stats.enabled,
                  stats.disabled,
                  stats.loaded,
                  stats.failed,
                  pct.toFixed(2),
                  Math.round(stats.parseMs + stats.buildMs),
                ],
              ],
            ),
          );
          const rows = [
            ...Object.entries(stats.unsupportedByKeyword).map(
              ([k, n]) => [k, 'unsupported', n] as (string | number)[],
            ),
            ...Object.entries(stats.syntaxByKeyword).map(
              ([k, n]) => [k, 'malformed', n] as (string | number)[],
            ),
          ].sort((a, b) => Number(b[2]) - Number(a[2]));
          if (rows.length) process.stdout.write('\n' + formatTable(['keyword', 'reason', 'rules'], rows));
        }
        if (syntaxErrors > 0 || (opts.strict && stats.failed > 0)) return ExitCode.USAGE;
        return ExitCode.OK;
      }),
    );
};
