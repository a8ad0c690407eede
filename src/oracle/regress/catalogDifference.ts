/**
 * Compares the constraints of the two catalogs at the end of a case: every PRIMARY KEY, UNIQUE,
 * CHECK and FOREIGN KEY constraint by table, name, kind and validity, including the foreign-key
 * rows PostgreSQL adds for each referenced partition. Generated names and NOT VALID marks are
 * PostgreSQL behaviour a migration sees (it addresses constraints by name), so they must agree.
 */
import type { Database } from '../../database.js';
import type { SqlSession } from '../sqlSession.js';

const KIND_LETTER: Readonly<Record<string, string>> = { primaryKey: 'p', unique: 'u', check: 'c', foreignKey: 'f' };

const timing = (deferrable: boolean, initiallyDeferred: boolean): string =>
  `${deferrable ? ' DEFERRABLE' : ''}${initiallyDeferred ? ' INITIALLY DEFERRED' : ''}`;

function engineConstraints(db: Database): string[] {
  const lines = db
    .constraints()
    .map(
      (constraint) =>
        `${constraint.table}.${constraint.name} ${KIND_LETTER[constraint.kind] ?? '?'}${constraint.valid ? '' : ' NOT VALID'}${timing(constraint.deferrable, constraint.initiallyDeferred)}`,
    );
  for (const copy of db.referencedSideConstraints())
    lines.push(
      `${copy.table}.${copy.name} f${copy.valid ? '' : ' NOT VALID'}${timing(copy.deferrable, copy.initiallyDeferred)}`,
    );
  return lines.sort();
}

async function postgresConstraints(session: SqlSession, schema: string): Promise<string[]> {
  const result = await session.run(
    `SELECT r.relname AS tbl, c.conname AS name, c.contype AS type, c.convalidated AS valid,
            c.condeferrable AS deferrable, c.condeferred AS deferred FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
     JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = '${schema}' AND c.contype IN ('p', 'u', 'c', 'f')`,
  );
  if (!result.ok) throw new Error(`cannot read the oracle's constraints: ${result.message}`);
  return result.rows
    .map(
      (row) =>
        `${String(row.tbl)}.${String(row.name)} ${String(row.type)}${row.valid === true ? '' : ' NOT VALID'}${timing(row.deferrable === true, row.deferred === true)}`,
    )
    .sort();
}

/** One sentence naming the constraints only one side has, or null when the catalogs agree. */
export async function constraintCatalogDifference(
  db: Database,
  session: SqlSession,
  schema: string,
): Promise<string | null> {
  const model = engineConstraints(db);
  const postgres = await postgresConstraints(session, schema);
  const onlyModel = model.filter((line) => !postgres.includes(line));
  const onlyPostgres = postgres.filter((line) => !model.includes(line));
  if (onlyModel.length === 0 && onlyPostgres.length === 0) return null;
  return `constraints differ: only in the model ${onlyModel.join(', ') || '(none)'}; only in PostgreSQL ${onlyPostgres.join(', ') || '(none)'}`;
}
