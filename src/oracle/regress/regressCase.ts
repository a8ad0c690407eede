/**
 * A case ported from PostgreSQL's own regression suite (src/test/regress/sql/*.sql): the
 * statements the engine runs, as structured calls the oracle renders as SQL, and where in the
 * original file they come from. A case the engine cannot express is kept as an unsupported
 * entry with the reason, so nothing from the ported files is dropped silently.
 */
import type { TriggerSpec } from '../../engine/ddl/specs.js';
import type { Statement } from '../../engine/statements/registry.js';

/**
 * A file of PostgreSQL's regression suite, relative to src/test/regress/sql/, or (prefixed
 * `gitlab:`) the GitLab migration helper whose DDL a case reproduces, for the shapes GitLab
 * emits that PostgreSQL's suite does not spell out (`add_text_limit`'s `char_length` CHECK).
 */
export type RegressSourceFile =
  | 'foreign_key.sql'
  | 'constraints.sql'
  | 'alter_table.sql'
  | 'update.sql'
  | 'triggers.sql'
  | 'insert_conflict.sql'
  | 'truncate.sql'
  | 'insert.sql'
  | 'create_index.sql'
  | 'indexing.sql'
  | 'gitlab:lib/gitlab/database/partitioning_migration_helpers/index_helpers.rb'
  | 'gitlab:lib/gitlab/database/migrations/constraints_helpers.rb'
  | 'gitlab:lib/gitlab/database/partitioning_migration_helpers/bulk_copy.rb'
  | 'gitlab:lib/gitlab/background_migration/backfill_desired_sharding_key_job.rb';

/** Where the source file lives: in postgres/postgres, or in gitlab-org/gitlab. */
export function sourcePath(source: RegressSource): string {
  return source.file.startsWith('gitlab:')
    ? `gitlab-org/gitlab ${source.file.slice('gitlab:'.length)}:${source.line}`
    : `src/test/regress/sql/${source.file}:${source.line}`;
}

const stem = (file: RegressSourceFile): string => (file.startsWith('gitlab:') ? 'gitlab' : file.replace(/\.sql$/, ''));

export interface RegressSource {
  readonly file: RegressSourceFile;
  /**
   * The line of the case's first statement (or of its section comment) in the copy of the file
   * read for the port (postgres/postgres, PostgreSQL 19 development branch). It was estimated from the position
   * in the file and may be off by some lines; `anchor` quotes that line verbatim, so
   * `grep -nF` on the file finds the exact place.
   */
  readonly line: number;
  readonly anchor: string;
}

export interface RegressCase {
  /** Unique, stable: `<file stem>/<short name>`. */
  readonly name: string;
  readonly source: RegressSource;
  readonly statements: readonly Statement[];
}

export interface UnsupportedCase {
  readonly name: string;
  readonly source: RegressSource;
  /** Why the engine cannot express it (the missing feature, in a few words). */
  readonly reason: string;
}

export type RegressEntry = RegressCase | UnsupportedCase;

export const isUnsupported = (entry: RegressEntry): entry is UnsupportedCase => 'reason' in entry;

/** Builds a case; `statements` may nest arrays so shared preambles read as one element. */
export type Statements = readonly (Statement | TriggerSpec | Statements)[];

export function regressCase(source: RegressSource, name: string, statements: Statements): RegressCase {
  return { name: `${stem(source.file)}/${name}`, source, statements: flatten(statements) };
}

export function unsupported(source: RegressSource, name: string, reason: string): UnsupportedCase {
  return { name: `${stem(source.file)}/${name}`, source, reason };
}

/** A source position in one file: `at(312, '-- cascade update/delete')`. */
export function sourceIn(file: RegressSourceFile): (line: number, anchor: string) => RegressSource {
  return (line, anchor) => ({ file, line, anchor });
}

function isTriggerSpec(value: Statement | TriggerSpec): value is TriggerSpec {
  return 'fn' in value;
}

function flatten(statements: Statements): Statement[] {
  const out: Statement[] = [];
  for (const statement of statements) {
    if (Array.isArray(statement)) out.push(...flatten(statement as Statements));
    else {
      const single = statement as Statement | TriggerSpec;
      out.push(isTriggerSpec(single) ? { kind: 'createTrigger', spec: single } : single);
    }
  }
  return out;
}
