/**
 * One counterexample as a self-contained HTML page: the plan and the broken invariant with its
 * explanation and replay command on top, then the trace as a timeline with one lane per actor —
 * the legacy data set-up, the deploy (plan steps), each kind of request or background worker, and
 * the final drain — and, beside each step, what it did and the rows it changed. Every piece of
 * text passes through htmlText; the page has no scripts and loads nothing.
 */
import type { Plan, WorldBase } from '../harness/domain.js';
import type { RunResult, TraceStep } from '../harness/runScenario.js';
import type { Scenario } from '../harness/scenario.js';
import type { RowChange, TableChange } from '../harness/snapshotDiff.js';
import type { Row } from '../engine/values.js';
import { HTML_STYLE } from './htmlStyle.js';
import { htmlText } from './htmlText.js';

export interface HtmlReportInput {
  readonly plan: Plan;
  readonly scenario: Scenario;
  readonly result: RunResult<WorldBase>;
  readonly replay: string | null;
}

interface Lane {
  readonly key: string;
  readonly title: string;
}

const MAX_ROWS_PER_TABLE = 8;

/** The actor a step belongs to: traffic steps are labelled `operation arguments…`. */
export function laneOf(step: TraceStep): Lane {
  switch (step.kind) {
    case 'legacy':
      return { key: 'legacy', title: 'legacy data' };
    case 'plan':
      return { key: 'plan', title: 'deploy' };
    case 'drain':
      return { key: 'drain', title: 'drain' };
    case 'session':
      return { key: `session:${step.session ?? 0}`, title: `session ${step.session ?? '?'}` };
    case 'clock':
      return { key: 'clock', title: 'virtual clock' };
    case 'traffic': {
      // An operation that did nothing in a session of a concurrent scenario still sits in that session's lane.
      if (step.session !== undefined) return { key: `session:${step.session}`, title: `session ${step.session}` };
      const operation = step.label.split(' ', 1)[0] ?? step.label;
      return { key: `traffic:${operation}`, title: operation };
    }
  }
}

/** Lanes in a stable reading order: set-up, deploy, then actors as they first act, drain last. */
export function lanesOf(trace: readonly TraceStep[]): Lane[] {
  const seen = new Map<string, Lane>();
  for (const step of trace) {
    const lane = laneOf(step);
    if (!seen.has(lane.key)) seen.set(lane.key, lane);
  }
  const rank = (lane: Lane): number =>
    lane.key === 'legacy' ? 0 : lane.key === 'plan' ? 1 : lane.key === 'drain' ? 3 : 2;
  return [...seen.values()].sort((left, right) => rank(left) - rank(right));
}

function rowText(row: Row): string {
  return Object.entries(row)
    .map(([column, value]) => `${column}=${value === null ? 'null' : String(value)}`)
    .join(' ');
}

function changeItem(table: string, change: RowChange): string {
  let kind: string;
  let text: string;
  if (change.kind === 'insert') {
    kind = 'ins';
    text = `+ ${rowText(change.after!)}`;
  } else if (change.kind === 'delete') {
    kind = 'del';
    text = `- ${rowText(change.before!)}`;
  } else {
    kind = 'upd';
    const before = change.before!;
    const after = change.after!;
    const changed = Object.keys(after)
      .filter((column) => before[column] !== after[column])
      .map((column) => `${column}: ${String(before[column])} → ${String(after[column])}`);
    text = `~ ${'id' in after ? `id=${String(after.id)} ` : ''}${changed.join(', ')}`;
  }
  return `<li class="mono"><span class="table">${htmlText(table)}</span> <span class="${kind}">${htmlText(text)}</span></li>`;
}

function changesList(changes: readonly TableChange[]): string {
  if (changes.length === 0) return '';
  const items: string[] = [];
  for (const table of changes) {
    const shown = table.rows.slice(0, MAX_ROWS_PER_TABLE);
    for (const change of shown) items.push(changeItem(table.table, change));
    if (table.rows.length > shown.length) {
      const more = `${table.table} … ${table.rows.length - shown.length} more rows`;
      items.push(`<li class="mono table">${htmlText(more)}</li>`);
    }
  }
  return `<ul class="changes">${items.join('')}</ul>`;
}

function stepDetails(step: TraceStep, failing: boolean, violations: readonly string[]): string {
  const space = step.label.indexOf(' ');
  const what = space === -1 ? step.label : step.label.slice(0, space);
  const params = space === -1 ? '' : step.label.slice(space + 1);
  const failed = step.outcome.startsWith('FAILED');
  const parts = [
    `<div><span class="kind">${htmlText(step.kind)}</span> <span class="what">${htmlText(what)}</span>`,
    params === '' ? '</div>' : ` <span class="params mono">${htmlText(params)}</span></div>`,
    `<div class="outcome${failed ? ' failed' : ''}">→ ${htmlText(step.outcome)}</div>`,
    changesList(step.changes),
  ];
  if (failing) for (const message of violations) parts.push(`<div class="violation">✗ ${htmlText(message)}</div>`);
  return parts.join('');
}

/**
 * What the plan says about invariants besides its expectation, with the plan's reasons, as the
 * terminal report says it: those it does not check (`optOut`), and those whose breaking it
 * accepts as a consequence of the same flaw (`accepts`), marked when they broke in this run.
 */
function planReasons(plan: Plan, result: RunResult<WorldBase>): string {
  const broke = new Set(result.observed?.keys() ?? []);
  const items = [
    ...plan.accepts.map(
      (entry) =>
        `<li><span class="mono">${htmlText(entry.invariant)}</span> (accepted${broke.has(entry.invariant) ? ', broke in this run' : ''}): ${htmlText(entry.reason)}</li>`,
    ),
    ...plan.optOut.map(
      (entry) =>
        `<li><span class="mono">${htmlText(entry.invariant)}</span> (not checked): ${htmlText(entry.reason)}</li>`,
    ),
  ];
  return items.length === 0 ? '' : `<ul class="reasons dim">${items.join('')}</ul>`;
}

export function htmlReport(input: HtmlReportInput): string {
  const { plan, result, scenario } = input;
  const trace = result.trace;
  const lanes = lanesOf(trace);
  const failingIndex = result.failure?.traceIndex ?? -1;
  const violations = (result.failure?.violations ?? []).map(
    (violation) => `${violation.invariant}: ${violation.message}`,
  );
  const expected = plan.expect === 'safe' ? 'safe' : `breaks ${plan.expect.breaks}`;
  const head = [
    '<div class="corner"></div>',
    ...lanes.map((lane) => `<div class="lane-head" title="${htmlText(lane.title)}">${htmlText(lane.title)}</div>`),
    '<div class="details-head">step — what happened — rows changed (+ inserted, ~ updated, - deleted)</div>',
  ];
  const rows = trace.map((step, index) => {
    const failing = index === failingIndex;
    const lane = laneOf(step).key;
    const rowClass = `k-${step.kind}${failing ? ' row-failing' : ''}`;
    const cells = lanes.map((candidate) => {
      const active = candidate.key === lane ? ` active${failing ? ' failing' : ''}` : '';
      return `<div class="cell k-${step.kind}${active}"></div>`;
    });
    return [
      `<div class="num ${rowClass}" id="step-${index + 1}">${index + 1}</div>`,
      ...cells,
      `<div class="step ${rowClass}" data-lane="${htmlText(lane)}">${stepDetails(step, failing, violations)}</div>`,
    ].join('');
  });
  const verdict =
    result.failure === null
      ? '<div class="verdict" style="border-color:#1a7f37;background:#dafbe1"><p>No invariant broke in this scenario.</p></div>'
      : [
          '<div class="verdict">',
          ...violations.map((text) => `<p class="invariant">✗ ${htmlText(text)}</p>`),
          result.failure.explanation === null
            ? ''
            : `<p><strong>Why:</strong> ${htmlText(result.failure.explanation)}</p>`,
          input.replay === null
            ? ''
            : `<p><strong>Replay:</strong></p><pre class="replay">${htmlText(input.replay)}</pre>`,
          '</div>',
        ].join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlText(`pgdrill: ${plan.name}`)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<h1>${htmlText(plan.name)}</h1>
<p class="dim">${htmlText(plan.description)} Expected: ${htmlText(expected)}.</p>
${planReasons(plan, result)}
${verdict}
<h2>Timeline: ${trace.length} steps, ${lanes.length} actors</h2>
<p class="legend"><span class="k-legacy"><span class="kind">legacy</span> data before the deploy</span><span class="k-plan"><span class="kind">plan</span> deploy step</span><span class="k-traffic"><span class="kind">traffic</span> request or worker</span><span class="k-drain"><span class="kind">drain</span> background work to the end</span></p>
<p class="legend">Traffic enabled in this run: ${htmlText(scenario.swarm.join(', '))}.</p>
<div class="timeline" style="--lanes:${lanes.length}">
${head.join('\n')}
${rows.join('\n')}
</div>
</body>
</html>
`;
}
