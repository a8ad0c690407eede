/** CREATE SEQUENCE … [INCREMENT BY …] [START WITH …]. */
import { createSequence } from '../ddl/sequenceDdl.js';
import type { SequenceOptions } from '../ddl/sequenceDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface CreateSequenceStatement {
  readonly kind: 'createSequence';
  readonly name: string;
  readonly options: SequenceOptions;
}

export const createSequenceKind = defineStatement<CreateSequenceStatement, void>({
  kind: 'createSequence',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, options }) => {
    createSequence(session, name, options);
  },
  render: ({ name, options }) => {
    const start = options.start === undefined ? '' : ` START WITH ${options.start}`;
    const increment = options.increment === undefined ? '' : ` INCREMENT BY ${options.increment}`;
    return `CREATE SEQUENCE ${ident(name)}${increment}${start}`;
  },
});
