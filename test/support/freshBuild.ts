/**
 * Keeps `dist/` the compilation of the sources as they are, for the suites, which run the compiled
 * package (`compiledPackage.ts`). A fresh clone is built by `npm ci` (the `prepare` script) and is up
 * to date here; after an edit, the next test run compiles again before any suite starts, so no
 * suite ever tests an older build than the sources beside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { BuildLayout } from './buildLayout.js';
import { REPOSITORY_BUILD } from './buildLayout.js';

/** Bound on the files looked at, as a guard against a directory loop. */
const MAX_SOURCES = 20_000;

function typeScriptSources(directory: string, into: string[]): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (into.length > MAX_SOURCES) throw new Error(`more than ${MAX_SOURCES} sources under ${directory}`);
    const path = join(directory, entry.name);
    if (entry.isDirectory()) typeScriptSources(path, into);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) into.push(path);
  }
}

/**
 * The first reason the build directory is not the compilation of the sources as they are, or null:
 * a source without its compiled module, or changed after it. A build writes every module anew, so
 * each compiled module must be at least as new as its source and the build's configuration.
 */
export function staleBuildReason(layout: BuildLayout = REPOSITORY_BUILD): string | null {
  const sources: string[] = [];
  for (const directory of layout.sourceDirectories) typeScriptSources(join(layout.root, directory), sources);
  let configured = 0;
  for (const file of layout.configurationFiles)
    configured = Math.max(configured, statSync(join(layout.root, file)).mtimeMs);
  for (const source of sources) {
    const name = relative(layout.root, source);
    const compiled = join(layout.buildDirectory, name.replace(/\.ts$/, '.js'));
    if (!existsSync(compiled)) return `${name} has no compiled module`;
    const built = statSync(compiled).mtimeMs;
    if (built < statSync(source).mtimeMs) return `${name} changed after it was compiled`;
    if (built < configured) return 'the build configuration changed after the last build';
  }
  return null;
}

/** Compiles the package (`tsc -p tsconfig.build.json`) when `dist/` is stale, saying why on stderr. */
export function ensureFreshBuild(): void {
  const reason = staleBuildReason();
  if (reason === null) return;
  process.stderr.write(`pgdrill tests: compiling dist/ first (${reason})\n`);
  const compiler = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [compiler, '-p', 'tsconfig.build.json'], {
    cwd: REPOSITORY_BUILD.root,
    stdio: 'inherit',
  });
  const still = staleBuildReason();
  if (still !== null) throw new Error(`dist/ is still stale after compiling: ${still}`);
}
