/**
 * `pgdrill steps|invariants|probes|operations [--json]`: what a plan may name, with what each
 * thing means, read from the same definitions the loader and the JSON Schema use.
 */
import type { Domain, WorldBase } from '../harness/domain.js';
import { expectedText } from '../harness/fieldSpec.js';
import type { FieldSpec } from '../harness/fieldSpec.js';
import { stableStringify } from '../harness/json.js';
import type { JsonValue } from '../harness/json.js';
import type { CliIo } from './runCli.js';

export type ListingKind = 'steps' | 'invariants' | 'probes' | 'operations';

function defaultText(spec: FieldSpec): string | null {
  if ('defaultText' in spec && spec.defaultText !== undefined) return spec.defaultText;
  if (!('default' in spec) || spec.default === undefined) return null;
  return JSON.stringify(spec.default);
}

function fieldJson(name: string, spec: FieldSpec, required: boolean): JsonValue {
  return { name, type: expectedText(spec), required, default: defaultText(spec), description: spec.description };
}

function listingJson<W extends WorldBase>(domain: Domain<W>, kind: ListingKind): JsonValue {
  switch (kind) {
    case 'steps':
      return [...domain.steps.values()].map((step) => ({
        name: step.name,
        description: step.description,
        fields: Object.entries(step.parameters.fields).map(([name, spec]) =>
          fieldJson(name, spec, step.parameters.required?.includes(name) ?? false),
        ),
      }));
    case 'invariants':
      return domain.invariants.map((invariant) => ({
        id: invariant.id,
        sentence: invariant.sentence,
        scope: invariant.scope,
      }));
    case 'probes':
      return domain.probes.map((probe) => ({ name: probe.name, description: probe.description }));
    case 'operations':
      return [
        ...domain.legacyOperations.map((operation) => ({
          name: operation.name,
          kind: 'legacy',
          description: operation.description,
        })),
        ...domain.trafficOperations.map((operation) => ({
          name: operation.name,
          kind: 'traffic',
          description: operation.description,
        })),
      ];
  }
}

function listingText<W extends WorldBase>(domain: Domain<W>, kind: ListingKind): string[] {
  switch (kind) {
    case 'steps':
      return [...domain.steps.values()].flatMap((step) => [
        step.name,
        `  ${step.description}`,
        ...Object.entries(step.parameters.fields).map(([name, spec]) => {
          const required = step.parameters.required?.includes(name) ?? false;
          const fallback = defaultText(spec);
          const note = required ? 'required' : fallback === null ? 'optional' : `default ${fallback}`;
          return `    ${name} (${expectedText(spec)}; ${note}): ${spec.description}`;
        }),
        '',
      ]);
    case 'invariants':
      return domain.invariants.map((invariant) => `${invariant.id} [${invariant.scope}]\n  ${invariant.sentence}`);
    case 'probes':
      return domain.probes.map((probe) => `${probe.name}\n  ${probe.description}`);
    case 'operations':
      return [
        ...domain.legacyOperations.map(
          (operation) => `${operation.name} [legacy: builds data before the plan]\n  ${operation.description}`,
        ),
        ...domain.trafficOperations.map((operation) => `${operation.name} [traffic]\n  ${operation.description}`),
      ];
  }
}

export function runListing<W extends WorldBase>(
  domain: Domain<W>,
  kind: ListingKind,
  json: boolean,
  io: CliIo,
): number {
  if (json) io.stdout.write(`${stableStringify({ [kind]: listingJson(domain, kind) }, 2)}\n`);
  else io.stdout.write(`${listingText(domain, kind).join('\n')}\n`);
  return 0;
}
