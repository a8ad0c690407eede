/**
 * CREATE TRIGGER with a TypeScript function. The one statement value that is not plain data:
 * `spec.fn` is code, and `spec.functionBody` is its PL/pgSQL twin that the SQL rendering uses.
 */
import { createTrigger } from '../ddl/triggerDdl.js';
import type { TriggerSpec } from '../ddl/specs.js';
import { renderCreateTrigger } from '../sql/renderSchema.js';
import { defineStatement } from './definition.js';

export interface CreateTriggerStatement {
  readonly kind: 'createTrigger';
  readonly spec: TriggerSpec;
}

export const createTriggerKind = defineStatement<CreateTriggerStatement, void>({
  kind: 'createTrigger',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { spec }) => {
    createTrigger(session, spec);
  },
  render: ({ spec }, catalog) => renderCreateTrigger(spec, catalog),
});
