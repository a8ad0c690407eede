import { populateLegacyRunners } from './legacyPopulation.js';
import type { LegacyRunner } from './legacyPopulation.js';
import { Database } from '../../src/index.js';
import { assert } from '../../src/engine/assert.js';
import type { PgError, Row } from '../../src/index.js';
import { causeOfStaleCopy } from './knownRaces.js';
import { ProbeCounter } from '../../src/harness/domain.js';
import type { ConcurrencyRecord, JsonObject } from '../../src/harness/domain.js';
import type {
  BackfillDecision,
  BackgroundFailure,
  OversizedWork,
  BatchedMigration,
  MigrationWorld,
} from '../gitlab/migrationWorld.js';
import { RUNNERS_CATALOG } from './catalog.js';
import { RUNNERS_LOOSE_FOREIGN_KEYS } from './looseForeignKeys.js';
import { tagLegacyRunners } from './legacyPopulation.js';
import { NAMESPACES, PROJECTS, createLegacySchema } from './schema.js';
import { worldSettings } from './worldSettings.js';
import { applySchemaEra } from './schemaEra.js';
import type { SchemaEra } from './schemaEra.js';
import { createCostSettingsTable } from './costSettings.js';
import { RolloutRecord } from '../gitlab/rolloutRecord.js';
import type { CodeVersion } from './settings.js';
import type { SyncPair } from '../gitlab/syncTrigger.js';
import type { DeletionTracking } from '../gitlab/looseForeignKeys/trackRecordDeletions.js';
import { LooseForeignKeysState, installLooseForeignKeys } from '../gitlab/looseForeignKeys/looseForeignKeysState.js';
import { BookkeepingVersions } from '../gitlab/bookkeeping.js';
import type { BookkeepingRecipe, LooseForeignKeyBookkeeping, MigrationBookkeeping } from '../gitlab/bookkeeping.js';
import { EMPTY_OWNER_EVENT_QUEUE } from './ownerRecalculation/projectDeletedEvents.js';
import type { OwnerEventQueue } from './ownerRecalculation/projectDeletedEvents.js';
import { createTaggingsSchema } from './taggings/taggingsSchema.js';
import { activeMutant } from '../gitlab/mutations.js';
import type { ModelMutant } from '../gitlab/mutations.js';
import type { WorkerSettings } from './workerSettings.js';

export type { CodeVersion } from './settings.js';
export type { SyncPair } from '../gitlab/syncTrigger.js';
export { validateRunnersSettings } from './settings.js';

/** The runners world's bookkeeping: GitLab's, plus the code version deployed and the owner-event queue. */
export interface RunnersBookkeeping extends MigrationBookkeeping {
  readonly code: Readonly<CodeVersion>;
  /** ProjectDeletedEvents and the owner-recalculation jobs they became (docs/semantics.md §e). */
  readonly ownerEvents: OwnerEventQueue;
}

export interface RunnerTypeChange {
  readonly runnerId: number;
  readonly from: number;
  readonly to: number;
  readonly step: number;
  /** Copy managers of the runner that were there before the change and gone after it. */
  readonly lostCopyManagers: readonly number[];
}

/** One application request and how it was answered; a PgError inside it is a 500, never thrown. */
export interface ApiResponse {
  /** The scenario step that made the request (-1 while building legacy data). */
  readonly step: number;
  /** The route, e.g. `POST /runners/verify`. */
  readonly endpoint: string;
  readonly status: 200 | 201 | 403 | 404 | 422 | 500;
  readonly runnerId: number | null;
  readonly error: PgError | null;
  readonly summary: string;
  /** For a 500: the known race that caused it, when the world recognises one (knownRaces.ts). */
  readonly cause?: string;
}

export const NAMESPACE_COUNT = 3;
export const PROJECT_COUNT = 4;

/** A world's database before its legacy data: the schema of its era, deletion tracking and the owners. */
interface BaseSchema {
  readonly db: Database;
  readonly looseForeignKeys: LooseForeignKeyBookkeeping;
}

/** Builds the schema every world of `era` starts from, by running its DDL on `db`. */
function buildBaseSchema(db: Database, era: SchemaEra): BaseSchema {
  createLegacySchema(db);
  createCostSettingsTable(db);
  applySchemaEra(db, era);
  createTaggingsSchema(db);
  const looseForeignKeys = installLooseForeignKeys(db, RUNNERS_LOOSE_FOREIGN_KEYS);
  createOwners(db);
  return { db, looseForeignKeys };
}

/**
 * One built schema per era and process (worker threads each build their own). A campaign creates
 * a world per scenario, thousands of them; copying a built database (`Database.fork`, which keeps
 * every counter, so the copy behaves exactly as a freshly built one) costs a fraction of running
 * the DDL again. The base is never written after it is built: worlds write their forks. The key
 * holds the active model mutant, which the schema's build may read (the loose-foreign-key
 * definitions it installs), as the populated schemas' key does.
 */
const baseSchemas = new Map<ModelMutant | null, Map<SchemaEra, BaseSchema>>();

function forkBaseSchema(era: SchemaEra): BaseSchema {
  // Two look-ups rather than a key string built for every world a campaign creates.
  const mutant = activeMutant();
  let byEra = baseSchemas.get(mutant);
  if (byEra === undefined) {
    byEra = new Map();
    baseSchemas.set(mutant, byEra);
  }
  let base = byEra.get(era);
  if (base === undefined) {
    base = buildBaseSchema(new Database(), era);
    byEra.set(era, base);
  }
  return { db: base.db.fork(), looseForeignKeys: base.looseForeignKeys };
}

/** A world's database with its bulk legacy population (the `legacyRunners` and `legacyTaggings` settings). */
interface PopulatedSchema extends BaseSchema {
  readonly legacy: readonly LegacyRunner[];
}

/**
 * Populations up to this size are built once per process and forked, as the schema is: a swarm over
 * sizes draws a handful of them (8, 24 or 60 runners) in one run out of eight, and inserting them
 * with their triggers and keys costs several times the copy. Scale campaigns' populations (up to a
 * million runners) are inserted into each world instead, so no second copy of them is kept.
 */
const MAX_FORKED_POPULATION = 1_000;
/** Distinct populations kept per process; past it the cache starts afresh. */
const MAX_POPULATED_SCHEMAS = 32;
const populatedSchemas = new Map<string, PopulatedSchema>();

/** `populateLegacyRunners` and `tagLegacyRunners` on `base`'s database, which they leave as any world's start. */
function populate(base: BaseSchema, era: SchemaEra, runners: number, taggings: number): PopulatedSchema {
  const legacy = populateLegacyRunners(base.db, runners);
  tagLegacyRunners(base.db, era, taggings);
  return { ...base, legacy };
}

/**
 * A fork of the era's schema with the legacy population in it. A fork behaves exactly as the database
 * it copies would from there on (`Database.fork`), so a fork of a populated fork is the database that
 * populating this world's own fork would give, counters (ids, tuple ids, transaction ids) included.
 * The key holds the active model mutant, which trigger functions may read.
 */
function forkPopulatedSchema(era: SchemaEra, runners: number, taggings: number): PopulatedSchema {
  if (runners === 0 && taggings === 0) return { ...forkBaseSchema(era), legacy: [] };
  if (runners > MAX_FORKED_POPULATION) return populate(forkBaseSchema(era), era, runners, taggings);
  const key = `${era}\u0000${runners}\u0000${taggings}\u0000${activeMutant() ?? ''}`;
  let populated = populatedSchemas.get(key);
  if (populated === undefined) {
    populated = populate(forkBaseSchema(era), era, runners, taggings);
    assert(populated.db.notices.length === 0, 'a legacy population raised notices a fork would not keep');
    if (populatedSchemas.size >= MAX_POPULATED_SCHEMAS) populatedSchemas.clear();
    populatedSchemas.set(key, populated);
  }
  return { ...populated, db: populated.db.fork() };
}

/** A fixed pool of namespaces and projects: runners need owners, and scenarios never change them. */
function createOwners(db: Database): void {
  for (let index = 0; index < NAMESPACE_COUNT; index++) db.insert(NAMESPACES, {});
  for (let index = 0; index < PROJECT_COUNT; index++)
    db.insert(PROJECTS, { namespace_id: (index % NAMESPACE_COUNT) + 1 });
}

/**
 * GitLab's runners, as the harness sees them: the database, the flags and code version in
 * force, the migrations' bookkeeping, and the record of what happened (responses, origins,
 * backfill decisions) that invariants and explanations read.
 */
export class RunnersWorld implements MigrationWorld {
  readonly catalog = RUNNERS_CATALOG;
  readonly probes = new ProbeCounter();
  readonly migrationFailures: string[] = [];
  currentStep = 0;
  buildingLegacy = false;
  /** What a concurrent scenario records about its sessions' lock waits (set by the harness). */
  concurrency: ConcurrencyRecord | null = null;

  private readonly versions: BookkeepingVersions<RunnersBookkeeping>;
  private readonly bootFlags: ReadonlyMap<string, boolean>;
  readonly responses: ApiResponse[] = [];
  /** Batches, owner-job steps and LFK cleanup runs that failed (the `background-work-succeeds` invariant reads it). */
  readonly backgroundFailures: BackgroundFailure[] = [];
  readonly oversizedWork: OversizedWork[] = [];
  /**
   * Runner id → token for every runner created and not deleted through the API: what runner
   * processes hold. Traffic addresses runners through it, so a runner that vanished from the
   * table without being deleted still makes requests, as a runner process keeps its token.
   */
  readonly runnerTokens = new Map<number, string>();
  readonly syncPairs: SyncPair[] = [];
  /** Source table → scenario step when its partition backfill finished. */
  readonly backfillFinishedAt = new Map<string, number>();
  /** Runner id → when it was created, and whether before the plan (legacy data). */
  readonly runnerOrigin = new Map<number, { step: number; legacy: boolean }>();
  /** Source table → scenario step when its sync trigger was installed. */
  readonly syncInstalledAt = new Map<string, number>();
  /** Source table → id → what the backfill did with the row when its cursor passed it. */
  readonly backfillDecisions = new Map<string, Map<number, BackfillDecision>>();
  /**
   * Copy table → runner id → the copy row a committed POST /runners/verify inserted through
   * ensure_partitioned_runner_record_exists: what recognises the ensure-copy race (knownRaces.ts).
   */
  readonly ensuredCopies = new Map<string, Map<number, Row>>();
  /** Runner id → how many `assign_to` re-owns of it have committed. */
  readonly committedReowns = new Map<number, number>();
  /** Runner id → the owner an `assign_to` wrote over a concurrent re-own it had not read (knownRaces.ts). */
  readonly lostOwnerUpdates = new Map<number, number>();
  /** Runner id → step when `assign_to` gave a sharding key to a runner that had none. */
  readonly orphansAssignedAt = new Map<number, number>();
  readonly batchSize: number;
  readonly schemaEra: SchemaEra;
  /** What the Cells 1.0 rollout steps did (swaps, reverts, runner type changes). */
  readonly rollout = new RolloutRecord();
  /** Runner type changes and the copy managers each lost (docs/semantics.md, invariant 16). */
  readonly runnerTypeChanges: RunnerTypeChange[] = [];
  /** Batch size and limits of the owner-recalculation and loose-foreign-key workers (issue #4). */
  readonly workers: WorkerSettings;
  /** The loose-foreign-key worker's limits and history (docs/semantics.md §b). */
  readonly looseForeignKeys: LooseForeignKeysState;

  readonly db: Database;

  /**
   * A world over `db` builds its schema there statement by statement (the oracle records them as
   * SQL); without one, it starts from a fork of its era's built schema.
   */
  constructor(
    readonly settings: JsonObject,
    db?: Database,
  ) {
    const { runners: parsed, workers } = worldSettings(settings);
    this.batchSize = parsed.backfillBatchSize;
    this.schemaEra = parsed.schema;
    const base =
      db === undefined
        ? forkPopulatedSchema(this.schemaEra, parsed.legacyRunners, parsed.legacyTaggings)
        : populate(buildBaseSchema(db, this.schemaEra), this.schemaEra, parsed.legacyRunners, parsed.legacyTaggings);
    this.db = base.db;
    this.workers = workers;
    this.looseForeignKeys = new LooseForeignKeysState(this.workers.looseForeignKeys);
    this.bootFlags = parsed.flags;
    this.versions = new BookkeepingVersions<RunnersBookkeeping>({
      // Frozen and shared by every world with these settings: a change replaces them (bookkeeping.ts).
      flags: parsed.flags,
      code: parsed.code,
      migrations: [],
      looseForeignKeys: base.looseForeignKeys,
      ownerEvents: EMPTY_OWNER_EVENT_QUEUE,
    });
    for (const runner of base.legacy) {
      this.runnerOrigin.set(runner.id, { step: 0, legacy: true });
      this.runnerTokens.set(runner.id, runner.token);
    }
  }

  get bookkeeping(): RunnersBookkeeping {
    return this.versions.current;
  }

  changeBookkeeping(recipe: BookkeepingRecipe<RunnersBookkeeping>): void {
    this.versions.change(recipe);
  }

  setMigration(migration: BatchedMigration): void {
    this.versions.setMigration(migration);
  }

  addDeletionTracking(tracking: DeletionTracking): void {
    this.versions.addDeletionTracking(tracking);
  }

  get code(): Readonly<CodeVersion> {
    return this.versions.current.code;
  }

  get ownerEvents(): OwnerEventQueue {
    return this.versions.current.ownerEvents;
  }

  /** Makes `queue` (frozen, built from the current one) the owner events' new version. */
  setOwnerEvents(queue: OwnerEventQueue): void {
    this.versions.replace('ownerEvents', queue);
  }

  copyRowCause(copyTable: string, copy: Row): string | undefined {
    const ensured = this.ensuredCopies.get(copyTable);
    return ensured === undefined ? undefined : causeOfStaleCopy(copy, ensured);
  }

  flagEnabled(name: string): boolean {
    return this.versions.current.flags.get(name) ?? false;
  }

  /** A flag as the scenario's settings set it before any step: what a stale per-process cache answers. */
  bootFlagEnabled(name: string): boolean {
    return this.bootFlags.get(name) ?? false;
  }

  syncPairFor(source: string): SyncPair | undefined {
    return this.syncPairs.find((pair) => pair.source === source);
  }
}

export function createRunnersWorld(settings: JsonObject, db?: Database): RunnersWorld {
  return new RunnersWorld(settings, db);
}
