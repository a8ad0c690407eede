/** SELECT setval('seq', n): the next nextval() returns n + 1. */
import { lookupSequence } from '../ddl/sequenceDdl.js';
import { sequenceLiteral } from '../sql/renderSchema.js';
import { defineStatement } from './definition.js';

export interface SetvalStatement {
  readonly kind: 'setval';
  readonly sequence: string;
  readonly value: number;
}

export const setvalKind = defineStatement<SetvalStatement, void>({
  kind: 'setval',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { sequence, value }) => {
    lookupSequence(session, sequence).nextValue = value + 1;
  },
  render: ({ sequence, value }) => `SELECT setval(${sequenceLiteral(sequence)}, ${value})`,
});
