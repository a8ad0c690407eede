/**
 * `--reporter junit`: one JUnit XML document for a campaign, one testcase per plan, so GitLab's
 * and GitHub's test report views show a mismatching plan in the merge request. A testcase fails
 * when the verdict does not match the plan's `expect` or a declared coverage probe was never hit;
 * its failure element carries the whole text report (the shrunk counterexample with its row
 * changes, the broken invariant, why, and the replay command). The document satisfies both the
 * Jenkins JUnit schema and the stricter Apache Ant one (checked in test/cli/junitReporter.test.ts):
 * hence a suite-level properties element with at least one property, system-out and system-err
 * always present, no attributes on testsuites (the counts are on the testsuite), and nothing but
 * the failure inside a testcase.
 */
import { hostname } from 'node:os';
import { Chalk } from 'chalk';
import type { PlanVerdict } from '../harness/checkPlan.js';
import { formatVerdict } from '../harness/report.js';
import { escapeControlCharacters } from '../harness/terminalText.js';
import { xmlText } from './xmlText.js';

export interface JunitCase {
  readonly verdict: PlanVerdict;
  readonly replay: string | null;
}

const PLAIN = new Chalk({ level: 0 });

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** ISO 8601 without a zone offset, as the Ant schema's timestamp pattern requires (UTC). */
function timestamp(date: Date): string {
  return date.toISOString().slice(0, 19);
}

function failureOf(entry: JunitCase): { type: string; message: string } | null {
  const { verdict } = entry;
  const plan = verdict.plan;
  if (!verdict.matched) {
    const expected = plan.expect === 'safe' ? 'safe' : `${plan.expect.breaks} to break`;
    const got = verdict.verdict === 'safe' ? `safe in ${verdict.runs} runs` : `${verdict.verdict.breaks} broke`;
    const type = verdict.verdict === 'safe' ? 'expected-failure-not-found' : verdict.verdict.breaks;
    // The message attribute, like the report text beside it, shows control characters escaped.
    const found = verdict.failure?.violations[0]?.message;
    return { type, message: `expected ${expected}, got ${got}${found ? `: ${escapeControlCharacters(found)}` : ''}` };
  }
  if (verdict.missingProbes.length > 0) {
    return { type: 'coverage', message: `coverage probe never hit: ${verdict.missingProbes.join(', ')}` };
  }
  return null;
}

export function junitReport(
  cases: readonly JunitCase[],
  seed: number,
  runs: number | null,
  now: Date = new Date(),
): string {
  const failures = cases.map(failureOf);
  const failed = failures.filter((failure) => failure !== null).length;
  const totalMs = cases.reduce((sum, entry) => sum + entry.verdict.ms, 0);
  const reports = cases.map((entry) => formatVerdict(entry.verdict, PLAIN, entry.replay, null).join('\n'));
  const suite = `pgdrill check (seed ${seed})`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites>',
    `  <testsuite name="${xmlText(suite)}" package="pgdrill" id="0" tests="${cases.length}" failures="${failed}" errors="0"` +
      ` time="${seconds(totalMs)}" timestamp="${timestamp(now)}" hostname="${xmlText(hostname() || 'localhost')}">`,
    '    <properties>',
    `      <property name="seed" value="${seed}"/>`,
    `      <property name="runs" value="${runs === null ? 'time-limited' : runs}"/>`,
    '    </properties>',
  ];
  cases.forEach((entry, index) => {
    const open = `    <testcase name="${xmlText(entry.verdict.plan.name)}" classname="pgdrill.plans" time="${seconds(entry.verdict.ms)}"`;
    const failure = failures[index];
    if (failure === null || failure === undefined) {
      lines.push(`${open}/>`);
      return;
    }
    lines.push(`${open}>`);
    lines.push(
      `      <failure type="${xmlText(failure.type)}" message="${xmlText(failure.message)}">${xmlText(reports[index]!)}</failure>`,
    );
    lines.push('    </testcase>');
  });
  lines.push(`    <system-out>${xmlText(reports.join('\n\n'))}</system-out>`);
  lines.push('    <system-err></system-err>');
  lines.push('  </testsuite>');
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
