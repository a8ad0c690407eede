/**
 * PGlite for the test suites, started cheaply. A fresh PGlite runs initdb inside WebAssembly, about
 * 7 s of CPU on the two-core machine; started from the data directory that initdb left (PGlite's
 * own dumpDataDir / loadDataDir) it skips initdb and costs about 3 s. The first start saves that
 * directory under node_modules/.cache, named by PGlite's version, and every later start loads it.
 * The directory is saved before anything runs on the instance, so every instance starts as a
 * freshly initialised database, exactly as `PGlite.create()` gives it.
 *
 * The suites whose every scenario runs in a scratch schema dropped and created afresh before it
 * (src/oracle/scenarioSchema.ts) also share one instance per worker process: a worker runs its
 * files one after another in one module graph (vitest.config.ts, isolate: false), so such a file
 * meets the instance exactly as a later scenario of its own would, and the worker pays one start.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pgliteSession } from '../../src/oracle/pgliteSession.js';
import type { SqlSession } from '../../src/oracle/sqlSession.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function savedDataDirectory(): string {
  const manifest = JSON.parse(
    readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
  ) as { version: string };
  return join(root, 'node_modules', '.cache', 'pgdrill', `pglite-${manifest.version}-datadir.tar`);
}

/** A new PGlite instance on a freshly initialised database (loaded from the saved data directory when there is one). */
export async function createPglite(): Promise<PGlite> {
  const saved = savedDataDirectory();
  if (existsSync(saved)) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(saved)]) });
    } catch {
      // A directory PGlite cannot load (written by another build of it) is replaced below.
      rmSync(saved, { force: true });
    }
  }
  const db = await PGlite.create();
  const directory = await db.dumpDataDir('none');
  mkdirSync(join(saved, '..'), { recursive: true });
  // Written aside and renamed, so a worker reading it concurrently sees all of it or nothing.
  const partial = `${saved}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await directory.arrayBuffer()));
  renameSync(partial, saved);
  return db;
}

let shared: Promise<SqlSession> | null = null;

/**
 * The worker's PGlite session for suites that reset its scratch schema before every scenario.
 * Callers do not close it: it lives as long as the worker process.
 */
export function sharedPgliteSession(): Promise<SqlSession> {
  shared ??= createPglite().then(pgliteSession);
  return shared;
}
