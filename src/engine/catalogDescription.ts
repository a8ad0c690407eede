/**
 * The catalog as plain data, for reports, invariants and the facade's `describe`: frozen-shape
 * objects that never expose the engine's mutable catalog objects.
 */
import { inheritedFrom } from './catalog.js';
import type { CheckConstraint, Constraint, Relation, TriggerDefinition } from './catalog.js';
import { renderExpr } from './expression.js';
import type { Expr } from './expression.js';
import type { SqlValue } from './values.js';
import { SqlQuoteError } from './sqlText.js';

/** Plain-data view of a constraint, for reports and invariants. */
export interface ConstraintInfo {
  readonly name: string;
  readonly kind: Constraint['kind'];
  readonly table: string;
  readonly valid: boolean;
  readonly columns: readonly string[];
  readonly referencedTable: string | null;
  readonly referencedColumns: readonly string[];
  readonly onDelete: string | null;
  readonly onUpdate: string | null;
  /** The constraint's expression for CHECKs, as SQL. */
  readonly checkSql: string | null;
  /** The CHECK expression itself, so invariants can evaluate it over rows independently. */
  readonly checkExpr: Expr | null;
  /** The partitioned table whose constraint this one was cloned from, if any. */
  readonly inheritedFrom: string | null;
  /** `DEFERRABLE` and `INITIALLY DEFERRED` (foreign keys only; false for the others). */
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly notNull: boolean }[];
  readonly partitionKey: string | null;
  readonly parent: string | null;
  readonly partitionValues: readonly SqlValue[] | 'default' | null;
  readonly partitions: readonly string[];
  readonly constraints: readonly ConstraintInfo[];
  readonly indexes: readonly {
    readonly name: string;
    readonly columns: readonly string[];
    readonly unique: boolean;
    readonly where: string | null;
    /** False for an INVALID index (pg_index.indisvalid). */
    readonly valid: boolean;
    /** The partitioned index this one is attached to (pg_inherits), or null. */
    readonly parent: string | null;
  }[];
  readonly triggers: readonly {
    readonly name: string;
    readonly level: 'row' | 'statement';
    readonly timing: string;
    readonly events: readonly string[];
    readonly enabled: boolean;
    readonly inherited: boolean;
  }[];
}

const NO_COLUMNS: readonly string[] = Object.freeze([]);

/**
 * Describes a constraint as plain data. Invariants read these after every catalog change, so every
 * description is built in one shape without spreads: the fields of a CHECK and of any other
 * constraint in the same order, all plain data, so code reading them (a filter over the catalog
 * after every catalog change) sees one hidden class. Only a CHECK has SQL text; the others carry a
 * plain null.
 */
export function describeConstraint(constraint: Constraint, relation: Relation): ConstraintInfo {
  if (constraint.kind === 'check') return describeCheck(constraint);
  const isForeignKey = constraint.kind === 'foreignKey';
  return {
    name: constraint.name,
    kind: constraint.kind,
    table: relation.name,
    inheritedFrom: inheritedFrom(constraint, relation)?.name ?? null,
    valid: constraint.kind === 'foreignKey' || constraint.kind === 'notNull' ? constraint.valid : true,
    columns: constraint.columns,
    referencedTable: isForeignKey ? constraint.referencedRelation.name : null,
    referencedColumns: isForeignKey ? constraint.referencedColumns : NO_COLUMNS,
    onDelete: isForeignKey ? constraint.onDelete : null,
    onUpdate: isForeignKey ? constraint.onUpdate : null,
    deferrable: isForeignKey ? constraint.deferrable : false,
    initiallyDeferred: isForeignKey ? constraint.initiallyDeferred : false,
    checkSql: null,
    checkExpr: null,
  };
}

/**
 * A CHECK's description, its SQL rendered at once (about a microsecond; a description is built once
 * per constraint and reused while it holds, see `stillDescribes`). An object literal with a getter
 * would be a dictionary-mode object, many times slower to read. Only an expression that cannot be
 * rendered (a NUL in a literal) keeps the lazy form, so the error surfaces where the text is read,
 * as it always did.
 */
function describeCheck(constraint: CheckConstraint): ConstraintInfo {
  const expr = constraint.expr;
  let rendered: string;
  try {
    rendered = renderExpr(expr);
  } catch (error) {
    if (error instanceof SqlQuoteError) return describeCheckLazily(constraint);
    throw error;
  }
  return {
    name: constraint.name,
    kind: constraint.kind,
    table: constraint.relation.name,
    inheritedFrom: constraint.parent?.relation.name ?? null,
    valid: constraint.valid,
    columns: NO_COLUMNS,
    referencedTable: null,
    referencedColumns: NO_COLUMNS,
    onDelete: null,
    onUpdate: null,
    deferrable: false,
    initiallyDeferred: false,
    checkSql: rendered,
    checkExpr: expr,
  };
}

/** A CHECK's description whose SQL is rendered when read (and throws then), for expressions with no SQL text. */
function describeCheckLazily(constraint: CheckConstraint): ConstraintInfo {
  const expr = constraint.expr;
  let sql: string | undefined;
  return {
    name: constraint.name,
    kind: constraint.kind,
    table: constraint.relation.name,
    inheritedFrom: constraint.parent?.relation.name ?? null,
    valid: constraint.valid,
    columns: NO_COLUMNS,
    referencedTable: null,
    referencedColumns: NO_COLUMNS,
    onDelete: null,
    onUpdate: null,
    deferrable: false,
    initiallyDeferred: false,
    get checkSql(): string {
      if (sql === undefined) sql = renderExpr(expr);
      return sql;
    },
    checkExpr: expr,
  };
}

/**
 * Whether `info` (an earlier `describeConstraint(constraint, relation)`) still describes `constraint` as it
 * is now: catalog edits rename constraints and tables, validate keys and re-parent clones in
 * place, and every field the description copies is compared (lists and expressions are replaced,
 * never edited, so they compare by identity). A description still true can be handed out again,
 * which spares building every constraint's description after each catalog change.
 */
export function stillDescribes(info: ConstraintInfo, constraint: Constraint, relation: Relation): boolean {
  if (
    info.name !== constraint.name ||
    info.kind !== constraint.kind ||
    info.table !== relation.name ||
    info.inheritedFrom !== (inheritedFrom(constraint, relation)?.name ?? null)
  )
    return false;
  switch (constraint.kind) {
    case 'foreignKey':
      return (
        info.valid === constraint.valid &&
        info.columns === constraint.columns &&
        info.referencedTable === constraint.referencedRelation.name &&
        info.referencedColumns === constraint.referencedColumns &&
        info.onDelete === constraint.onDelete &&
        info.onUpdate === constraint.onUpdate &&
        info.deferrable === constraint.deferrable &&
        info.initiallyDeferred === constraint.initiallyDeferred
      );
    case 'check':
      return info.valid === constraint.valid && info.checkExpr === constraint.expr;
    case 'notNull':
      return info.valid === constraint.valid && info.columns === constraint.columns;
    default:
      return info.columns === constraint.columns;
  }
}

function describeTrigger(trigger: TriggerDefinition) {
  return {
    name: trigger.name,
    level: trigger.level,
    timing: trigger.timing,
    events: [...trigger.events],
    enabled: trigger.enabled,
    inherited: trigger.parent !== null,
  };
}

/**
 * Describes a table as plain data; `describe` gives its constraints' descriptions (a caller that
 * keeps earlier ones still true hands those out again instead of describing every constraint anew).
 */
export function describeTable(
  relation: Relation,
  describe: (constraint: Constraint, relation: Relation) => ConstraintInfo = describeConstraint,
): TableInfo {
  const bound = relation.partitionBound;
  return {
    name: relation.name,
    columns: relation.columns.map((column) => ({ name: column.name, type: column.type, notNull: column.notNull })),
    partitionKey: relation.partitionKey,
    parent: relation.parent?.name ?? null,
    partitionValues: bound === null ? null : bound.kind === 'default' ? 'default' : bound.values,
    partitions: relation.partitions.map((partition) => partition.name),
    constraints: relation.constraints.map((constraint) => describe(constraint, relation)),
    indexes: relation.indexes.map((index) => ({
      name: index.name,
      columns: index.columns,
      unique: index.unique,
      where: index.predicate ? renderExpr(index.predicate) : null,
      valid: index.valid,
      parent: index.parent?.name ?? null,
    })),
    triggers: relation.triggers.map(describeTrigger),
  };
}
