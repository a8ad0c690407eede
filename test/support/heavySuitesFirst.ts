/**
 * The order in which vitest starts the test files: the known long suites first, then vitest's own
 * order. On a fresh clone vitest has no timings of earlier runs and starts files in the order it
 * finds them, so a long suite started last keeps one core busy alone at the end; started first, the
 * short files fill the other core around it. Only the order changes, never what runs.
 */
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

/** Path fragments of the suites that take the most time, longest first (measured with `--reporter=json`). */
const HEAVY_SUITES = [
  'test/plans/planVerdicts.',
  'test/plans/planVerdictsConcurrent.test.ts',
  'test/properties/incrementalChecks.test.ts',
  'test/oracle/plansAndCorpus.test.ts',
  'test/cli/cli.test.ts',
  'test/cli/hostile.test.ts',
  'test/cli/workers.test.ts',
  'test/oracle/server/concurrentCorpus.test.ts',
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
