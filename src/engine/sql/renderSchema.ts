/** DDL as PostgreSQL SQL: tables, partitions, constraints, indexes, sequences and triggers. */
import type {
  ColumnDefaultSpec,
  ColumnSpec,
  ConstraintSpec,
  ForeignKeySpec,
  IndexSpec,
  PartitionBoundSpec,
  TableSpec,
  TriggerSpec,
} from '../ddl/specs.js';
import { dollarQuote, quoteIdentifier as ident, quoteLiteral } from '../sqlText.js';
import type { ColumnType } from '../values.js';
import type { CatalogView } from './catalogView.js';
import { renderTypedExpr, renderValue } from './renderExpr.js';
import { RenderError } from './renderError.js';

const list = (names: readonly string[]): string => names.map(ident).join(', ');

/** A sequence name as nextval() takes it: a text literal holding a (possibly quoted) identifier. */
export const sequenceLiteral = (name: string): string => quoteLiteral(ident(name));

export function renderDefault(value: ColumnDefaultSpec, type: ColumnType | undefined): string {
  if (value !== null && typeof value === 'object')
    return 'nextval' in value ? `nextval(${sequenceLiteral(value.nextval)})` : 'now()';
  return renderValue(value, type);
}

export function renderColumn(column: ColumnSpec): string {
  const type = column.type;
  const notNull = column.notNull && type !== 'bigserial' && type !== 'serial' ? ' NOT NULL' : '';
  const defaultClause =
    column.default === undefined
      ? ''
      : ` DEFAULT ${renderDefault(column.default, type === 'bigserial' || type === 'serial' ? undefined : type)}`;
  return `${ident(column.name)} ${type}${notNull}${defaultClause}`;
}

const ACTIONS = { 'no action': 'NO ACTION', restrict: 'RESTRICT', cascade: 'CASCADE', 'set null': 'SET NULL' } as const;

function renderDeferrable(constraint: ForeignKeySpec): string {
  if (constraint.initiallyDeferred)
    return constraint.deferrable === false ? ' NOT DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE INITIALLY DEFERRED';
  return constraint.deferrable ? ' DEFERRABLE' : '';
}

/** A table constraint clause; `table` scopes the column references of a CHECK expression. */
export function renderConstraint(constraint: ConstraintSpec, table: string, catalog: CatalogView): string {
  const name = constraint.name === undefined ? '' : `CONSTRAINT ${ident(constraint.name)} `;
  switch (constraint.kind) {
    case 'primaryKey':
    case 'unique': {
      const kind = constraint.kind === 'primaryKey' ? 'PRIMARY KEY' : 'UNIQUE';
      return constraint.usingIndex === undefined
        ? `${name}${kind} (${list(constraint.columns)})`
        : `${name}${kind} USING INDEX ${ident(constraint.usingIndex)}`;
    }
    case 'check':
      return `${name}CHECK (${renderTypedExpr(constraint.expr, { catalog, table, outerTable: null })})${constraint.noInherit ? ' NO INHERIT' : ''}${constraint.notValid ? ' NOT VALID' : ''}`;
    case 'notNull':
      return `${name}NOT NULL ${ident(constraint.column)}${constraint.noInherit ? ' NO INHERIT' : ''}${constraint.notValid ? ' NOT VALID' : ''}`;
    case 'foreignKey': {
      const referenced = constraint.references.columns ? ` (${list(constraint.references.columns)})` : '';
      return `${name}FOREIGN KEY (${list(constraint.columns)}) REFERENCES ${ident(constraint.references.table)}${referenced} ON DELETE ${ACTIONS[constraint.onDelete ?? 'no action']} ON UPDATE ${ACTIONS[constraint.onUpdate ?? 'no action']}${renderDeferrable(constraint)}${constraint.notValid ? ' NOT VALID' : ''}`;
    }
  }
}

export function renderBound(values: PartitionBoundSpec, type: ColumnType | undefined): string {
  return values === 'default'
    ? 'DEFAULT'
    : `FOR VALUES IN (${values.map((value) => renderValue(value, type)).join(', ')})`;
}

export function renderCreateTable(
  spec: TableSpec,
  catalog: CatalogView,
  partitionKeyType: ColumnType | undefined,
): string {
  const clauses: string[] = [];
  if (spec.partitionOf === undefined) clauses.push(...(spec.columns ?? []).map(renderColumn));
  if (spec.primaryKey) clauses.push(`PRIMARY KEY (${list(spec.primaryKey)})`);
  clauses.push(...(spec.constraints ?? []).map((constraint) => renderConstraint(constraint, spec.name, catalog)));
  const body = clauses.length > 0 ? ` (\n  ${clauses.join(',\n  ')}\n)` : '';
  const partitionBy = spec.partitionBy ? ` PARTITION BY LIST (${ident(spec.partitionBy.list)})` : '';
  if (spec.partitionOf !== undefined) {
    return `CREATE TABLE ${ident(spec.name)} PARTITION OF ${ident(spec.partitionOf.parent)}${body} ${renderBound(spec.partitionOf.values, partitionKeyType)}${partitionBy}`;
  }
  return `CREATE TABLE ${ident(spec.name)}${clauses.length > 0 ? body : ' ()'}${partitionBy}`;
}

export function renderCreateIndex(spec: IndexSpec, catalog: CatalogView, concurrently = false): string {
  const name = spec.name === undefined ? '' : `${ident(spec.name)} `;
  const where = spec.where
    ? ` WHERE ${renderTypedExpr(spec.where, { catalog, table: spec.table, outerTable: null })}`
    : '';
  const how = concurrently ? 'CONCURRENTLY ' : '';
  return `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX ${how}${name}ON ${spec.only === true ? 'ONLY ' : ''}${ident(spec.table)} (${list(spec.columns)})${where}`;
}

/**
 * CREATE TRIGGER with its function. Both go in one string so that, run as one simple query,
 * they are one implicit transaction: a failing CREATE TRIGGER leaves no function behind, as the
 * engine's single statement leaves nothing behind.
 */
export function renderCreateTrigger(spec: TriggerSpec, catalog: CatalogView): string {
  if (spec.functionBody === undefined) {
    throw new RenderError(
      `trigger ${spec.name} on ${spec.table} has no PL/pgSQL body: give its TriggerSpec a functionBody`,
    );
  }
  const functionName = spec.functionName ?? spec.name;
  const events = spec.events
    .map((event) =>
      event === 'update' && spec.updateOf !== undefined ? `UPDATE OF ${list(spec.updateOf)}` : event.toUpperCase(),
    )
    .join(' OR ');
  const when =
    spec.when === undefined
      ? ''
      : ` WHEN (${renderTypedExpr(spec.when, { catalog, table: spec.table, outerTable: null })})`;
  const referencing =
    spec.level === 'statement' && spec.referencing && (spec.referencing.oldTable || spec.referencing.newTable)
      ? ` REFERENCING${spec.referencing.oldTable ? ` OLD TABLE AS ${ident(spec.referencing.oldTable)}` : ''}${spec.referencing.newTable ? ` NEW TABLE AS ${ident(spec.referencing.newTable)}` : ''}`
      : '';
  const args = (spec.args ?? []).map((arg) => quoteLiteral(arg)).join(', ');
  return [
    `CREATE OR REPLACE FUNCTION ${ident(functionName)}() RETURNS trigger LANGUAGE plpgsql AS ${dollarQuote(spec.functionBody)};`,
    `CREATE TRIGGER ${ident(spec.name)} ${spec.timing.toUpperCase()} ${events} ON ${ident(spec.table)}${referencing} FOR EACH ${spec.level === 'statement' ? 'STATEMENT' : 'ROW'}${when} EXECUTE FUNCTION ${ident(functionName)}(${args});`,
  ].join('\n');
}
