/**
 * The mutation registry behind `npm run mutants`: plausible design mistakes a GitLab engineer
 * could make, each a switchable variant of the model's code. Exactly one mutant is active at a
 * time, chosen by the `PGDRILL_MUTANT` environment variable (read once, so worker threads started
 * with it agree) or by `activateMutant` in the mutants runner. With neither, no mutant is active
 * and every `mutated` call answers false: the registry is inert by default, which a test asserts.
 */
export const MODEL_MUTANTS = {
  'sync-trigger-ignores-update': 'the generated sync function forgets the UPDATE branch, so copies keep stale columns',
  'sync-trigger-ignores-delete':
    'the generated sync function forgets the DELETE branch, so deleted rows stay in the copy',
  'backfill-skips-batch-end':
    'the partition backfill advances its cursor one id past the batch, skipping a row between batches',
  'backfill-ignores-filter': 'the partition backfill copies orphans too, which the copy partitions reject',
  'org-backfill-skips-group-runners': 'BackfillOrganizationIdOnCiRunners sets organization_id on project runners only',
  'owner-service-deletes-reowned':
    'UpdateProjectRunnersOwnerService deletes every runner the batch covered, re-owned or not',
  'owner-service-highest-project':
    'UpdateProjectRunnersOwnerService re-owns runners to their highest-id project instead of the lowest',
  'owner-service-skips-preclean':
    "UpdateProjectRunnersOwnerService skips the pre-clean of the deleted project's ci_runner_projects rows",
  'owner-service-one-batch': 'UpdateProjectRunnersOwnerWorker stops after its first batch of runners',
  'lfk-marks-processed-over-limit':
    'the loose-foreign-key worker marks a batch processed even when its run went over the limit',
  'lfk-cleaner-single-query':
    'the loose-foreign-key cleaner runs one bounded query per definition and never loops for the rest',
  'verify-skips-runner-copy':
    'POST /runners/verify creates the manager without ensuring the runner copy, whatever the code version says',
  'type-change-forgets-managers': "a runner-type change leaves its managers' runner_type and sharding key as they were",
  'type-change-forgets-taggings':
    "a runner-type change leaves its taggings' runner_type and sharding key (and so their partition) as they were",
  'swap-keeps-sequence-owner': 'replace_with_partitioned_table leaves ci_runners_id_seq owned by the archive',
  'tracking-switch-skips-partitions':
    'switching deletion tracking to the partitioned table installs the trigger on the parent only',
  'sharding-backfill-highest-project':
    'BackfillShardingKeyIdOnCiRunners takes the highest-id project instead of the lowest',
  'orphan-cleanup-ignores-type': 'DeleteOrphanedGroupAndProjectRunners also deletes instance runners',
  'delete-orphaned-taggings-noop': 'the data migration meant to delete taggings without a tag deletes nothing',
  'backfill-sub-batch-no-for-update':
    'the partition backfill sub-batch drops its FOR UPDATE, whatever the migration was queued with',
  'assign-to-lock-without-row-lock':
    'the locking assign_to reloads the runner without FOR UPDATE, so it takes no row lock before deciding',
  'assign-to-lock-for-share': 'the locking assign_to reloads the runner FOR SHARE instead of FOR UPDATE',
  'assign-to-outside-transaction':
    "assign_to's reload, assignment INSERT and owner UPDATE run in autocommit instead of one transaction",
  'lfk-cleaner-ignores-limit':
    "the loose-foreign-key cleaner's sub-query ignores its LIMIT (1000 deletes, 500 updates)",
  'lock-retries-without-lock-timeout': "with_lock_retries's attempts forget SET LOCAL lock_timeout",
  'owner-batch-limit-off-by-one': "UpdateProjectRunnersOwnerService's runner batch reads batch size - 1 runners",
  'sync-trigger-fires-before':
    'the generated sync trigger fires BEFORE instead of AFTER, so its RETURN NULL skips the source row',
  'partition-bounds-swapped':
    'partition_table_by_list gives the group_type partition FOR VALUES IN (3) and the project_type one IN (2)',
  'fk-added-without-not-valid':
    "add_concurrent_foreign_key's ADD CONSTRAINT forgets NOT VALID, so the ADD itself validates every row",
  'check-added-without-not-valid':
    "add_check_constraint's ADD CONSTRAINT forgets NOT VALID, so the ADD itself validates every row",
  'reject-orphans-default-on': 'the reject_orphaned_runners feature flag defaults to on',
  'ensure-copy-from-loaded-row':
    "verify's ensure-copy copies the runner as loaded, before the heartbeat it just wrote (a stale contacted_at)",
  'ensure-copy-without-on-conflict':
    "verify's ensure-copy is a plain INSERT without ON CONFLICT DO NOTHING, failing when the copy row exists",
  'type-change-keeps-old-assignments':
    "a runner-type change keeps the runner's old ci_runner_projects / ci_runner_namespaces / ci_cost_settings rows",
  'swap-skips-partition-renames': "replace_with_partitioned_table leaves the copy's partitions under their old names",
  'sync-trigger-update-of-skips-contacted-at':
    'the generated sync trigger fires on UPDATE OF every copied column but contacted_at, to spare heartbeats',
  'sync-trigger-update-skips-partition-key':
    "the generated sync function's UPDATE leaves out runner_type, the copy's partition key, as if it could not change",
  'lfk-modification-limit-per-table':
    "the loose-foreign-key worker's modification limit counts each parent table on its own, not the whole run",
  'lfk-cleaner-nullifies': "the loose-foreign-key cleaner runs an async_delete definition as async_nullify's UPDATE",
  'owner-service-ignores-runner-type':
    'UpdateProjectRunnersOwnerService selects the runners owned by the project by sharding_key_id alone, any type',
  'owner-service-forgets-managers':
    "UpdateProjectRunnersOwnerService re-owns a runner but leaves its managers' sharding_key_id as it was",
  'owner-service-preclean-last':
    "UpdateProjectRunnersOwnerWorker deletes the project's ci_runner_projects rows after the runner batches",
  'verify-manager-without-sharding-key':
    "POST /runners/verify creates the manager without its runner's sharding_key_id",
  'verify-ensure-manager-no-retry':
    'ensure_manager gives up after its first RecordNotUnique (safe_ensure_unique without its retry)',
  'backfill-sub-batch-nowait':
    'the partition backfill sub-batch locks its rows FOR UPDATE NOWAIT, failing on a row a writer holds',
  'backfill-range-excludes-batch-end':
    "the partition backfill's sub-batch copies id >= first AND id < last, leaving out each batch's last row",
  'manager-backfill-skips-runner-type':
    "BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers sets the managers' sharding_key_id but not runner_type",
  'tracking-switch-records-partition-names':
    'switching deletion tracking tracks each partition with track_record_deletions, which records its own name',
  'swap-skips-id-default':
    "replace_with_partitioned_table moves the sequence's ownership but leaves the copy's id without its nextval default",
  'orphaned-copy-managers-join-on-manager-id':
    "DeleteOrphanedPartitionedCiRunnerMachineRecords joins the runners' copy on the manager's id instead of its runner_id",
  'runner-sharding-key-last-project':
    'POST /user/runners gives a project runner the sharding key of its last project instead of its first',
  'tag-create-without-on-conflict':
    'PUT /runners/:id creates a tag by its name with a plain INSERT, without ON CONFLICT (name) DO NOTHING',
  'ensure-unique-id-keeps-client-id':
    "ensure_unique_id's trigger warns about a client-supplied id but keeps it instead of taking nextval",
  'swap-skips-reverse-sync':
    'replace_with_partitioned_table renames the tables but installs no sync trigger back into the archive',
  'assign-to-fallback-by-project-id':
    'assign_to re-owns a runner to its assignment with the lowest project_id instead of the lowest ci_runner_projects id',
  'owner-worker-flag-cached':
    'UpdateProjectRunnersOwnerWorker reads update_project_runners_owner as it was when the process booted',
  'tracking-switch-keeps-archive-trigger':
    'switching deletion tracking tracks the partitioned table but leaves the loose-FK trigger on <table>_archived',
  'unassign-checks-owner-by-assignment':
    "unassigning a project from a runner protects the runner's lowest-id assignment instead of its owner project",
  'sync-trigger-ignores-insert':
    'the generated sync function forgets the INSERT branch, so rows created after the trigger never reach the copy',
  'lfk-load-batch-any-table':
    "LooseForeignKeys::DeletedRecord.load_batch_for_table forgets its fully_qualified_table_name filter, so one parent table's cleanup takes every table's records",
  'lfk-cleaner-uses-record-ids':
    "the loose-foreign-key cleanup passes the deleted records' own ids to CleanerService instead of their primary_key_value",
  'lfk-taggings-definition-wrong-column':
    "config/gitlab_loose_foreign_keys.yml's ci_runner_taggings entry for tags names the column runner_id instead of tag_id",
  'finalize-partitioned-backfill-skips-batches':
    "finalize_backfilling_partitioned_table marks the copy's backfill finished without running its remaining batches",
  'create-runner-joins-requested-id':
    'POST /user/runners writes its ci_runner_projects and ci_runner_namespaces rows with the id it asked for (nextval) instead of the id the INSERT returned',
  'instance-runner-gets-organization':
    'the code that populates organization_id gives instance runners the default organization too',
  'lfk-tracking-records-table-without-schema':
    "track_record_deletions' trigger function records TG_TABLE_NAME without TG_TABLE_SCHEMA, so no loose foreign key definition matches its records",
  'type-change-keeps-organization':
    "PUT /admin/runners/:id changing runner_type leaves organization_id as it was, so a runner turned instance keeps its owner's organization",
  'type-change-keeps-sharding-key':
    "PUT /admin/runners/:id changing runner_type leaves sharding_key_id as it was instead of the new owner's",
  'lfk-runner-projects-definition-missing':
    "config/gitlab_loose_foreign_keys.yml has no ci_runner_projects entry for projects, so a deleted project's assignments stay until something else removes them",
} as const;

export type ModelMutant = keyof typeof MODEL_MUTANTS;

export function isModelMutant(name: string): name is ModelMutant {
  return Object.hasOwn(MODEL_MUTANTS, name);
}

function fromEnvironment(): ModelMutant | null {
  const name = typeof process === 'undefined' ? undefined : process.env['PGDRILL_MUTANT'];
  if (name === undefined || name === '') return null;
  if (!isModelMutant(name)) throw new Error(`PGDRILL_MUTANT names no mutant: ${name}`);
  return name;
}

let active: ModelMutant | null = fromEnvironment();

/** True when `name` is the active mutant; the model's code takes the mistaken branch then. */
export function mutated(name: ModelMutant): boolean {
  return active === name;
}

/** The active mutant, or null (the default). */
export function activeMutant(): ModelMutant | null {
  return active;
}

/** Switches the mutant in this thread (the mutants runner); null restores the real model. */
export function activateMutant(name: ModelMutant | null): void {
  active = name;
}
