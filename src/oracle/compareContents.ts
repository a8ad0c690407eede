import type { DatabaseSnapshot } from '../database.js';
import { quoteIdentifier as ident, quoteLiteral } from '../engine/sqlText.js';
import { canonicalRows } from './compareOutcome.js';
import type { SqlSession } from './sqlSession.js';

/**
 * Compares every table's contents at the end of a scenario: the engine's heaps (leaf tables)
 * against PostgreSQL's ordinary tables in the scenario's schema, each as a multiset of rows.
 * Returns one sentence naming the first difference, or null.
 */
export async function contentsDifference(
  snapshot: DatabaseSnapshot,
  session: SqlSession,
  schema: string,
): Promise<string | null> {
  const listed = await session.run(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind = 'r' ORDER BY 1`,
  );
  if (!listed.ok) throw new Error(`cannot list the oracle's tables: ${listed.message}`);
  const postgresTables = listed.rows.map((row) => String(row.name));
  const modelTables = [...snapshot.keys()].sort();
  if (JSON.stringify(postgresTables) !== JSON.stringify(modelTables)) {
    return `the model has tables ${modelTables.join(', ') || '(none)'}, PostgreSQL has ${postgresTables.join(', ') || '(none)'}`;
  }
  for (const table of modelTables) {
    const read = await session.run(`SELECT * FROM ONLY ${ident(table)}`);
    if (!read.ok) throw new Error(`cannot read ${table} from the oracle: ${read.message}`);
    const model = canonicalRows(snapshot.get(table) ?? []);
    const postgres = canonicalRows(read.rows);
    if (JSON.stringify(model) !== JSON.stringify(postgres)) {
      const onlyModel = model.filter((row) => !postgres.includes(row));
      const onlyPostgres = postgres.filter((row) => !model.includes(row));
      return `table ${table} differs: only in the model ${onlyModel.join(' ') || '(none)'}; only in PostgreSQL ${onlyPostgres.join(' ') || '(none)'}${onlyModel.length === 0 && onlyPostgres.length === 0 ? ' (the same rows, different multiplicities)' : ''}`;
    }
  }
  return null;
}
