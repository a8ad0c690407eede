/**
 * The slices of GitLab's `ci_runners` world the concurrency races need, as PostgreSQL DDL: the
 * source table, its partitioned copy with the generated sync trigger (as `model/gitlab/syncTrigger.ts`
 * renders it, reduced to the columns the races touch), runner managers and runner projects.
 * Names are GitLab's (docs/semantics.md §a.1).
 */

export const COPY = 'ci_runners_e59bb2812d';

/** One SQL statement written over several source lines. */
export const sql = (...parts: readonly string[]): string => parts.filter((part) => part !== '').join(' ');

export const runnersTable = sql(
  'CREATE TABLE ci_runners',
  '(id bigint PRIMARY KEY, runner_type smallint NOT NULL, sharding_key_id bigint, contacted_at bigint)',
);

export const partitionedCopy: readonly string[] = [
  sql(
    `CREATE TABLE ${COPY} (id bigint NOT NULL, runner_type smallint NOT NULL, sharding_key_id bigint,`,
    'contacted_at bigint, PRIMARY KEY (id, runner_type)) PARTITION BY LIST (runner_type)',
  ),
  `CREATE TABLE instance_type_${COPY} PARTITION OF ${COPY} FOR VALUES IN (1)`,
  `CREATE TABLE group_type_${COPY} PARTITION OF ${COPY} FOR VALUES IN (2)`,
  `CREATE TABLE project_type_${COPY} PARTITION OF ${COPY} FOR VALUES IN (3)`,
];

/** `partition_table_by_list`'s sync trigger: every change of the source is repeated on the copy. */
export const syncTrigger: readonly string[] = [
  `CREATE FUNCTION table_sync_function_686d6c7993() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
IF (TG_OP = 'DELETE') THEN
  DELETE FROM ${COPY} where "id" = OLD."id";
ELSIF (TG_OP = 'UPDATE') THEN
  UPDATE ${COPY}
  SET "runner_type" = NEW."runner_type",
    "sharding_key_id" = NEW."sharding_key_id",
    "contacted_at" = NEW."contacted_at"
  WHERE ${COPY}."id" = NEW."id";
ELSIF (TG_OP = 'INSERT') THEN
  INSERT INTO ${COPY} ("id", "runner_type", "sharding_key_id", "contacted_at")
  VALUES (NEW."id", NEW."runner_type", NEW."sharding_key_id", NEW."contacted_at");
END IF;
RETURN NULL;
END
$$`,
  sql(
    'CREATE TRIGGER table_sync_trigger_61879721b5 AFTER INSERT OR UPDATE OR DELETE ON ci_runners',
    'FOR EACH ROW EXECUTE FUNCTION table_sync_function_686d6c7993()',
  ),
];

export const runnerMachinesTable =
  'CREATE TABLE ci_runner_machines (id bigint PRIMARY KEY, runner_id bigint NOT NULL, system_xid text NOT NULL)';

/**
 * `fk_rails_666b61f04f` (ci_runner_machines.runner_id → ci_runners),
 * NOT VALID as `add_concurrent_foreign_key` adds it.
 */
export function addRunnerMachinesForeignKey(notValid: boolean): string {
  return sql(
    'ALTER TABLE ci_runner_machines ADD CONSTRAINT fk_rails_666b61f04f',
    `FOREIGN KEY (runner_id) REFERENCES ci_runners (id) ON DELETE CASCADE${notValid ? ' NOT VALID' : ''}`,
  );
}

export const runnerProjectsTables: readonly string[] = [
  'CREATE TABLE projects (id bigint PRIMARY KEY)',
  sql(
    'CREATE TABLE ci_runner_projects (id bigserial PRIMARY KEY,',
    'runner_id bigint NOT NULL REFERENCES ci_runners (id) ON DELETE CASCADE, project_id bigint NOT NULL)',
  ),
];

/**
 * One sub-batch of the partitioning backfill (`bulk_copy.rb`): rows of the source in an id range
 * that pass the ci_runners filter, copied with ON CONFLICT DO NOTHING, locking the source rows
 * `FOR UPDATE` as GitLab does, or not, as a design that drops it would.
 */
export function backfillSubBatch(from: number, to: number, forUpdate: boolean): string {
  return sql(
    `INSERT INTO ${COPY} (id, runner_type, sharding_key_id, contacted_at)`,
    'SELECT id, runner_type, sharding_key_id, contacted_at FROM ci_runners',
    `WHERE id BETWEEN ${from} AND ${to} AND (runner_type = 1 OR sharding_key_id IS NOT NULL)`,
    forUpdate ? 'FOR UPDATE' : '',
    'ON CONFLICT (id, runner_type) DO NOTHING',
  );
}

/** `ci_runner_machines` with the sharding key a desired-sharding-key backfill fills from `ci_runners`. */
export const shardedMachinesTable =
  'CREATE TABLE ci_runner_machines (id bigint PRIMARY KEY, runner_id bigint NOT NULL, sharding_key_id bigint)';

/**
 * One sub-batch of a sharding-key backfill (`backfill_desired_sharding_key_job.rb`): the machines in
 * an id range still without a key take their runner's, read through the FROM item.
 */
export function shardingKeySubBatch(from: number, to: number): string {
  return sql(
    'UPDATE ci_runner_machines SET sharding_key_id = ci_runners.sharding_key_id FROM ci_runners',
    'WHERE ci_runners.id = ci_runner_machines.runner_id',
    `AND ci_runner_machines.id BETWEEN ${from} AND ${to} AND ci_runner_machines.sharding_key_id IS NULL`,
  );
}
