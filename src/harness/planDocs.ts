/**
 * The reference part of docs/plans.md — every setting, step, field, default, probe and operation
 * — rendered from the same declarations the loader validates with. The page holds this text
 * between two markers and a test fails when it differs, so the docs cannot drift from the code.
 */
import type { Domain, WorldBase } from './domain.js';
import { expectedText } from './fieldSpec.js';
import type { FieldMap, FieldSpec } from './fieldSpec.js';
import { COMMON_STEP_FIELDS } from './planFields.js';

export const REFERENCE_START =
  '<!-- reference: generated from the field declarations (src/harness/planDocs.ts); npm test checks it -->';
export const REFERENCE_END = '<!-- end of reference -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultCell(spec: FieldSpec, required: boolean): string {
  if (required) return 'required';
  if ('defaultText' in spec && spec.defaultText !== undefined) return spec.defaultText;
  if ('default' in spec && spec.default !== undefined) return `\`${JSON.stringify(spec.default)}\``;
  return 'optional';
}

function fieldRows(fields: FieldMap, required: readonly string[], prefix = ''): string[] {
  return Object.entries(fields).flatMap(([name, spec]) => {
    const row = `| \`${prefix}${name}\` | ${cell(expectedText(spec))} | ${cell(defaultCell(spec, required.includes(name)))} | ${cell(spec.description)} |`;
    return spec.kind === 'object' ? [row, ...fieldRows(spec.fields, spec.required ?? [], `${prefix}${name}.`)] : [row];
  });
}

const TABLE_HEAD = ['| field | value | default | meaning |', '|---|---|---|---|'];

export function planReferenceMarkdown<W extends WorldBase>(domain: Domain<W>): string {
  const lines: string[] = [
    REFERENCE_START,
    '',
    '### Settings',
    '',
    ...TABLE_HEAD,
    ...fieldRows(domain.settings.fields, domain.settings.required ?? [], 'settings.'),
    '',
  ];
  lines.push('### Steps', '', 'Every step also accepts:', '', ...TABLE_HEAD, ...fieldRows(COMMON_STEP_FIELDS, []), '');
  for (const step of [...domain.steps.values()].sort((left, right) => (left.name < right.name ? -1 : 1))) {
    lines.push(`#### \`${step.name}\``, '', step.description, '');
    const fields = Object.keys(step.parameters.fields);
    if (fields.length === 0) lines.push('No fields.', '');
    else lines.push(...TABLE_HEAD, ...fieldRows(step.parameters.fields, step.parameters.required ?? []), '');
    if ((step.parameters.minFields ?? 0) > 0)
      lines.push(`At least ${step.parameters.minFields} of these fields must be given.`, '');
  }
  lines.push(
    '### Probes',
    '',
    '| probe | counts |',
    '|---|---|',
    ...domain.probes.map((probe) => `| \`${probe.name}\` | ${cell(probe.description)} |`),
    '',
  );
  lines.push(
    '### Known races',
    '',
    "Named causes that a plan's `acceptsCauses` and `underConcurrency.acceptsCauses` may accept: each explains some violations of one invariant.",
    '',
    '| cause | invariant | what happened | shown by |',
    '|---|---|---|---|',
    ...(domain.causes ?? []).map(
      (cause) =>
        `| \`${cause.id}\` | \`${cause.invariant}\` | ${cell(cause.sentence)} | ${cause.plans.map((plan) => `\`${plan}\``).join(', ')} |`,
    ),
    '',
  );
  lines.push('### Operations', '', '| operation | kind | what it does; its arguments |', '|---|---|---|');
  lines.push(
    ...domain.legacyOperations.map(
      (operation) => `| \`${operation.name}\` | legacy | ${cell(operation.description)} |`,
    ),
  );
  lines.push(
    ...domain.trafficOperations.map(
      (operation) => `| \`${operation.name}\` | traffic | ${cell(operation.description)} |`,
    ),
  );
  lines.push('', REFERENCE_END);
  return lines.join('\n');
}

/** The page with its reference block replaced by the current one (the block must exist once). */
export function withReference(page: string, reference: string): string | null {
  const start = page.indexOf(REFERENCE_START);
  const end = page.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) return null;
  return `${page.slice(0, start)}${reference}${page.slice(end + REFERENCE_END.length)}`;
}
