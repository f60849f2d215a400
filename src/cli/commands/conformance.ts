/**
 * `sentra conformance suricata-verify DIR...`: runs suricata-verify tests (each DIR a test
 * directory or a folder of them) through the IDS engine in-process and prints pass / fail /
 * not-supported per test, ending with `N passed, N failed, N skipped`.
 */
import type { Command } from 'commander';
import { ErrorCodes, SentraError } from '../../errors.js';
import { runVerifyTest, type VerifyOutcome } from '../../ids/engine/conformance.js';
import { discoverTests } from '../../ids/verify/test-case.js';
import { action, type CommandRegistrar, writeJsonLine } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { createProgress } from '../progress.js';

interface ConformanceOptions {
  json?: boolean;
  version?: string;
  quiet?: boolean;
}

/** Counts and the pass rate among the tests whose rules all load. */
export function summarize(outcomes: readonly VerifyOutcome[]) {
  const passed = outcomes.filter((o) => o.status === 'pass').length;
  const failed = outcomes.filter((o) => o.status === 'fail').length;
  const skipped = outcomes.length - passed - failed;
  const loadable = outcomes.filter((o) => o.rulesLoad);
  const loadablePassed = loadable.filter((o) => o.status === 'pass').length;
  return {
    tests: outcomes.length,
    passed,
    failed,
    skipped,
    rulesLoad: loadable.length,
    passRateRulesLoad: loadable.length ? Math.round((10000 * loadablePassed) / loadable.length) / 100 : 0,
  };
}

export const registerConformance: CommandRegistrar = (program: Command) => {
  const c = program.command('conformance').description('conformance test suites for the IDS engine');
  c.command('suricata-verify')
    .description('run suricata-verify tests: pass / fail / not-supported per test')
    .argument('<dirs...>', 'test directories, or folders of them')
    .option('--version <v>', 'Suricata version to claim for test requirements', '8.0.0')
    .option('-q, --quiet', 'print failures and the summary only')
    .option('--json', 'print one JSON line per test, then a summary line')
    .action(
      action(async (dirs: string[], opts: ConformanceOptions) => {
        const tests = dirs.flatMap((d) => discoverTests(d));
        if (tests.length === 0)
          throw new SentraError(
            ErrorCodes.NOT_FOUND,
            `no suricata-verify test (test.yaml) under ${dirs.join(', ')}`,
          );
        const progress = createProgress({
          total: tests.length,
          label: 'tests',
          unit: 'tests',
          enabled: opts.json ? false : undefined,
        });
        const outcomes: VerifyOutcome[] = [];
        for (const dir of tests) {
          const o = await runVerifyTest(dir, { version: opts.version });
          outcomes.push(o);
          progress.update(outcomes.length);
          if (opts.json) {
            writeJsonLine(o);
          } else if (!opts.quiet || o.status === 'fail') {
            const why = o.reason ? `: ${o.reason}` : '';
            process.stdout.write(`${o.status.padEnd(13)} ${o.name}${why}\n`);
          }
        }
        progress.stop();
        const s = summarize(outcomes);
        if (opts.json) writeJsonLine({ summary: s });
        else {
          process.stdout.write(
            `${s.rulesLoad} tests with all rules loaded: ${s.passRateRulesLoad}% pass\n` +
              `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped\n`,
          );
        }
        return ExitCode.OK;
      }),
    );
};
