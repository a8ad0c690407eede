/**
 * Where `--html` puts reports: `replay --html FILE` writes that file; `check` and `merge`
 * `--html DIRECTORY` write DIRECTORY/PLAN.html per counterexample (plan names are validated as
 * lower-case words and dashes, so they are safe file names). Files are written atomically.
 */
import { mkdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PlanVerdict } from '../harness/checkPlan.js';
import { writeFileAtomically } from '../harness/corpus.js';
import { systemReason } from '../harness/inputFile.js';
import { UserInputError } from '../harness/userInputError.js';
import { htmlReport } from '../report/htmlReport.js';
import type { HtmlReportInput } from '../report/htmlReport.js';

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

/**
 * Checked before any work starts, so a campaign is not run only to fail writing its reports:
 * `check`/`merge --html DIRECTORY` creates the directory, and refuses a path that is a file.
 */
export function prepareHtmlDirectory(directory: string): void {
  if (statOrNull(directory)?.isDirectory() === false) throw new UserInputError(`--html ${directory}: not a directory`);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new UserInputError(`--html ${directory}: cannot create the report directory: ${systemReason(error)}`);
  }
  if (!statSync(directory).isDirectory()) throw new UserInputError(`--html ${directory}: not a directory`);
}

/** `replay --html FILE`: FILE must not be a directory, and its directory must exist. */
export function checkHtmlFile(path: string): void {
  const parent = statOrNull(dirname(path));
  if (parent === null || !parent.isDirectory())
    throw new UserInputError(`--html ${path}: the directory ${dirname(path)} does not exist`);
  if (statOrNull(path)?.isDirectory() === true)
    throw new UserInputError(`--html ${path}: it is a directory, give a file name`);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Writes `replay --html FILE`; a failed write is bad input (one line, exit 2), never a stack trace. */
export function writeReplayHtml(path: string, input: HtmlReportInput): void {
  try {
    writeHtmlReport(path, input);
  } catch (error) {
    throw new UserInputError(`--html ${path}: cannot write the report: ${systemReason(error)}`);
  }
}
