/**
 * The real server for a suite: the one the global setup started (or `DATABASE_URL`), else one of
 * its own, started before the suite and stopped after it.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { startServer } from '../../../src/oracle/server/embeddedServer.js';
import type { PostgresServer } from '../../../src/oracle/server/embeddedServer.js';
import { openPgSessionBackend } from '../../../src/oracle/server/pgSessionBackend.js';
import type { SessionBackend } from '../../../src/oracle/server/sessionBackend.js';

export interface ServerHandle {
  readonly connectionString: () => string;
  readonly backend: () => SessionBackend;
}

export function useServer(): ServerHandle {
  let own: PostgresServer | null = null;
  let url: string | null = null;
  let backend: SessionBackend | null = null;
  beforeAll(async () => {
    url = inject('pgdrillServerUrl');
    if (url === null) {
      own = await startServer();
      url = own.connectionString;
    }
    backend = await openPgSessionBackend({ connectionString: url });
  });
  afterAll(async () => {
    await backend?.close();
    await own?.stop();
  });
  return {
    connectionString: () => {
      if (url === null) throw new Error('the server is not started yet');
      return url;
    },
    backend: () => {
      if (backend === null) throw new Error('the server is not started yet');
      return backend;
    },
  };
}
