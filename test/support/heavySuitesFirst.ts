/**
 * The order in which vitest starts the test files: the known long suites first, then vitest's own
 * order. On a fresh clone vitest has no timings of earlier runs and starts files in the order it
 * finds them, so a long suite started last keeps one core busy alone at the end; started first, the
 * short files fill the other core around it. Only the order changes, never what runs.
 */
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

/**
 * Path fragments of the suites that take the most time, longest first (seconds measured with
 * `--reporter=json` on a quiet machine at 7e240dd). The plan-verdict guard's shares come first so
 * they start at once on both cores; the rest, longest first, pack behind them, so the run ends
 * with short files on both cores rather than one long file on one.
 */
const HEAVY_SUITES = [
  'test/plans/planVerdicts.', // 65, 64, 58
  'test/plans/planVerdictsConcurrent.test.ts', // 44
  'test/properties/incrementalChecks.test.ts', // 24
  'test/oracle/plansAndCorpus.test.ts', // 26
  'test/oracle/server/concurrentCorpus.test.ts', // 18
  'test/cli/cli.test.ts', // 15
  'test/cli/workers.test.ts', // 13
  'test/oracle/server/sessionDiff.test.ts', // 11
  'test/oracle/randomSchemas.test.ts', // 8
  'test/integrations/vitestEntry.test.ts', // 8
  'test/cli/hostile.test.ts', // 7
  'test/oracle/server/engineDiffCases.test.ts', // 6
  'test/oracle/sessions/scheduleTree.test.ts', // 6
  'test/cli/junitReporter.test.ts', // 6
  'test/oracle/server/export.test.ts', // 5
  'test/oracle/regress.test.ts', // 4
  'test/oracle/server/permutationDriver.test.ts', // 4
  'test/oracle/server/embeddedServer.test.ts', // 3
];

function weight(specification: TestSpecification): number {
  const path = specification.moduleId.replaceAll('\\', '/');
  const index = HEAVY_SUITES.findIndex((fragment) => path.includes(fragment));
  return index < 0 ? HEAVY_SUITES.length : index;
}

export default class HeavySuitesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: files of equal weight keep vitest's order.
    return [...sorted].sort((a, b) => weight(a) - weight(b));
  }
}
