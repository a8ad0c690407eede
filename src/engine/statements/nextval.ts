/** SELECT nextval('seq'): not transactional, so a rolled-back statement still consumes the value. */
import { lookupSequence } from '../ddl/sequenceDdl.js';
import { nextSequenceValue } from '../rowBuilding.js';
import { sequenceLiteral } from '../sql/renderSchema.js';
import { defineStatement } from './definition.js';

export interface NextvalStatement {
  readonly kind: 'nextval';
  readonly sequence: string;
}

export const nextvalKind = defineStatement<NextvalStatement, number>({
  kind: 'nextval',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { sequence }) => nextSequenceValue(lookupSequence(session, sequence)),
  render: ({ sequence }) => `SELECT nextval(${sequenceLiteral(sequence)})`,
});
