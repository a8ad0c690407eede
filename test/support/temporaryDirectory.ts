import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A scratch directory removed when the current test finishes, pass or fail, so a test run
 * leaves nothing behind in the system's temporary directory.
 */
export function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), `pgdrill-${prefix}-`));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
