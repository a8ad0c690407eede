/**
 * The embedded server's life cycle: DATABASE_URL is used as given, and a server whose process is
 * interrupted (Ctrl-C) is stopped and its temporary directory removed. The interrupted process runs
 * the compiled module (dist/, built by `npm ci` through `prepare`), as a user's `pgdrill` would.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../../src/oracle/server/embeddedServer.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('embedded PostgreSQL server', () => {
  it('uses DATABASE_URL as given and never stops that server', async () => {
    const server = await startServer({ environment: { DATABASE_URL: 'postgres://someone@db.invalid:5432/x' } });
    expect(server).toMatchObject({
      connectionString: 'postgres://someone@db.invalid:5432/x',
      embedded: false,
      directory: null,
      pid: null,
    });
    await server.stop();
  });

  it('stops the server and removes its directory when the process is interrupted', async () => {
    expect(existsSync(`${root}/dist/src/oracle/server/embeddedServer.js`), 'dist/ is missing: run npm run build').toBe(
      true,
    );
    const program = `const { startServer } = await import('./dist/src/oracle/server/embeddedServer.js');
const server = await startServer({ environment: {} });
console.log(JSON.stringify({ directory: server.directory, pid: server.pid }));
setInterval(() => {}, 1000);`;
    const child = spawn('node', ['--input-type=module', '-e', program], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<{ directory: string; pid: number }>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0]!) as { directory: string; pid: number });
      });
      child.once('exit', (code) => reject(new Error(`the server process exited early (${code})`)));
    });
    expect(existsSync(started.directory)).toBe(true);
    expect(alive(started.pid)).toBe(true);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(existsSync(started.directory)).toBe(false);
    for (let attempt = 0; attempt < 100 && alive(started.pid); attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(started.pid)).toBe(false);
  });
});
