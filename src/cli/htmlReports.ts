import { join } from 'node:path';
import type { PlanVerdict } from '../harness/checkPlan.js';
import { writeFileAtomically } from '../harness/corpus.js';
import { htmlReport } from '../report/htmlReport.js';
import type { HtmlReportInput } from '../report/htmlReport.js';

/**
 * Where `--html` puts reports: `replay --html FILE` writes that file; `check` and `merge`
 * `--html DIRECTORY` write DIRECTORY/PLAN.html per counterexample (plan names are validated as
 * lower-case words and dashes, so they are safe file names). Files are written atomically.
 */
export function writeHtmlReport(path: string, input: HtmlReportInput): string {
  writeFileAtomically(path, htmlReport(input));
  return path;
}

export function writeVerdictHtml(directory: string, verdict: PlanVerdict, replay: string | null): string | null {
  const failure = verdict.failure;
  if (failure === null) return null;
  return writeHtmlReport(join(directory, `${verdict.plan.name}.html`), {
    plan: verdict.plan,
    scenario: failure.scenario,
    result: failure.result,
    replay,
  });
}
