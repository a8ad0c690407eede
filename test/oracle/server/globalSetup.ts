/**
 * Vitest global setup: one real PostgreSQL server for the whole run, shared by every suite that
 * needs one (they each work in their own schema). initdb is the dominant cost, so the server is
 * started only when the run may include such a suite: no file filter, or a filter matching one of
 * them. A suite that finds no server provided starts its own (see `serverFixture.ts`), so a filter
 * this guess gets wrong costs time, never correctness.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startServer } from '../../../src/oracle/server/embeddedServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgdrillServerUrl: string | null;
  }
}

const here = dirname(fileURLToPath(import.meta.url));

function serverSuitesSelected(): boolean {
  const root = join(here, '..', '..', '..');
  const suites = readdirSync(here)
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => relative(root, join(here, file)));
  const filters = process.argv
    .slice(2)
    .filter((argument) => !argument.startsWith('-') && argument !== 'run' && argument !== 'watch');
  return filters.length === 0 || filters.some((filter) => suites.some((suite) => suite.includes(filter)));
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!serverSuitesSelected()) {
    project.provide('pgdrillServerUrl', null);
    return undefined;
  }
  const server = await startServer();
  project.provide('pgdrillServerUrl', server.connectionString);
  return () => server.stop();
}
