/** DROP INDEX [IF EXISTS] …. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { dropIndex, findIndex } from '../ddl/indexDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DropIndexOptions {
  readonly ifExists?: boolean;
}

export interface DropIndexStatement {
  readonly kind: 'dropIndex';
  readonly name: string;
  readonly options: DropIndexOptions;
}

export const dropIndexKind = defineStatement<DropIndexStatement, void>({
  kind: 'dropIndex',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, options }) => {
    const index = findIndex(session, name);
    if (index !== undefined) guardTableNotInUse(session, index.relation.name, 'DROP INDEX', true);
    dropIndex(session, name, options);
  },
  render: ({ name, options }) => `DROP INDEX ${options.ifExists ? 'IF EXISTS ' : ''}${ident(name)}`,
});
