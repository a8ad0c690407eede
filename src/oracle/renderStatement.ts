import { quoteIdentifier as ident } from '../engine/sqlText.js';
import type { CatalogView } from './catalogView.js';
import { renderDelete, renderInsert, renderSelect, renderUpdate } from './renderData.js';
import { columnType } from './renderExpr.js';
import { renderBound, renderColumn, renderConstraint, renderCreateIndex, renderCreateTable, renderCreateTrigger, renderDefault, sequenceLiteral } from './renderSchema.js';
import type { StatementCall } from './statementEvent.js';

/**
 * One top-level statement as PostgreSQL SQL (without a trailing semicolon, except for CREATE
 * TRIGGER, which renders as its function and the trigger). `catalog` describes the database
 * as it is when the event is rendered, right after the statement ran. `now()` renders as
 * `now()`: the oracle's session shadows it with the engine's logical clock (see clock.ts).
 */
export function renderStatement(call: StatementCall, catalog: CatalogView): string {
  const keyType = (table: string) => {
    const key = catalog.partitionKey(table);
    return key === null ? undefined : columnType(catalog, table, key);
  };
  const alter = (table: string, action: string): string => `ALTER TABLE ${ident(table)} ${action}`;
  switch (call.kind) {
    case 'insert': return renderInsert(call.table, call.rows, call.options, catalog);
    case 'update': return renderUpdate(call.table, call.set, call.where, call.options, catalog);
    case 'delete': return renderDelete(call.table, call.where, call.options, catalog);
    case 'select': return renderSelect(call.table, call.options, catalog);
    case 'nextval': return `SELECT nextval(${sequenceLiteral(call.sequence)})`;
    case 'setval': return `SELECT setval(${sequenceLiteral(call.sequence)}, ${call.value})`;
    case 'createTable': return renderCreateTable(call.spec, catalog, call.spec.partitionOf ? keyType(call.spec.partitionOf.parent) : undefined);
    case 'dropTable': return `DROP TABLE ${call.options.ifExists ? 'IF EXISTS ' : ''}${ident(call.name)}${call.options.cascade ? ' CASCADE' : ''}`;
    case 'renameTable': return `${alter(call.name, `RENAME TO ${ident(call.newName)}`)}`;
    case 'addColumn': return alter(call.table, `ADD COLUMN ${call.options.ifNotExists ? 'IF NOT EXISTS ' : ''}${renderColumn(call.column)}`);
    case 'dropColumn': return alter(call.table, `DROP COLUMN ${call.options.ifExists ? 'IF EXISTS ' : ''}${ident(call.column)}${call.options.cascade ? ' CASCADE' : ''}`);
    case 'setColumnDefault':
      return alter(call.table, `ALTER COLUMN ${ident(call.column)} ${call.value === undefined ? 'DROP DEFAULT' : `SET DEFAULT ${renderDefault(call.value, columnType(catalog, call.table, call.column))}`}`);
    case 'setColumnNotNull': return alter(call.table, `ALTER COLUMN ${ident(call.column)} ${call.notNull ? 'SET' : 'DROP'} NOT NULL`);
    case 'addConstraint': return alter(call.table, `ADD ${renderConstraint(call.constraint, call.table, catalog)}`);
    case 'validateConstraint': return alter(call.table, `VALIDATE CONSTRAINT ${ident(call.name)}`);
    case 'dropConstraint': return alter(call.table, `DROP CONSTRAINT ${call.options.ifExists ? 'IF EXISTS ' : ''}${ident(call.name)}`);
    case 'renameConstraint': return alter(call.table, `RENAME CONSTRAINT ${ident(call.name)} TO ${ident(call.newName)}`);
    case 'createIndex': return renderCreateIndex(call.spec, catalog);
    case 'dropIndex': return `DROP INDEX ${call.options.ifExists ? 'IF EXISTS ' : ''}${ident(call.name)}`;
    case 'renameIndex': return `ALTER INDEX ${ident(call.name)} RENAME TO ${ident(call.newName)}`;
    case 'attachPartition': return alter(call.parent, `ATTACH PARTITION ${ident(call.partition)} ${renderBound(call.values, keyType(call.parent))}`);
    case 'detachPartition': return alter(call.parent, `DETACH PARTITION ${ident(call.partition)}`);
    case 'createTrigger': return renderCreateTrigger(call.spec);
    case 'dropTrigger': return `DROP TRIGGER ${call.options.ifExists ? 'IF EXISTS ' : ''}${ident(call.name)} ON ${ident(call.table)}`;
    case 'enableTrigger': return alter(call.table, `ENABLE TRIGGER ${ident(call.name)}`);
    case 'disableTrigger': return alter(call.table, `DISABLE TRIGGER ${ident(call.name)}`);
    case 'createSequence': {
      const start = call.options.start === undefined ? '' : ` START WITH ${call.options.start}`;
      const increment = call.options.increment === undefined ? '' : ` INCREMENT BY ${call.options.increment}`;
      return `CREATE SEQUENCE ${ident(call.name)}${increment}${start}`;
    }
    case 'dropSequence': return `DROP SEQUENCE ${ident(call.name)}`;
    case 'renameSequence': return `ALTER SEQUENCE ${ident(call.name)} RENAME TO ${ident(call.newName)}`;
    case 'setSequenceOwner': return `ALTER SEQUENCE ${ident(call.sequence)} OWNED BY ${call.owner === null ? 'NONE' : `${ident(call.owner.table)}.${ident(call.owner.column)}`}`;
    case 'begin': return 'BEGIN';
    case 'commit': return 'COMMIT';
    case 'rollback': return 'ROLLBACK';
    case 'savepoint': return `SAVEPOINT ${ident(call.name)}`;
    case 'rollbackToSavepoint': return `ROLLBACK TO SAVEPOINT ${ident(call.name)}`;
    case 'releaseSavepoint': return `RELEASE SAVEPOINT ${ident(call.name)}`;
  }
}

/** A statement as a script line: terminated by a semicolon exactly once. */
export function asScriptStatement(sql: string): string {
  return sql.endsWith(';') ? sql : `${sql};`;
}

