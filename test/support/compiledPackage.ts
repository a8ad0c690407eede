/**
 * A Vite plugin for the test run: every import of a module of the package's sources (`src`,
 * `model`, `properties`, `bench`, spelled `../../src/engine/scan.js` as the sources spell their own)
 * is answered with its compiled module in `dist/`, which Node loads itself (`vitest.config.ts`,
 * `server.deps.external`). Vitest would otherwise run the TypeScript through its module runner,
 * which rewrites every import into a property read on a module object; a campaign calls across
 * modules millions of times, and the plan campaigns took 1.2 to 1.5 times as long that way as on
 * the compiled package (docs/performance.md, "The test suite's own time"). The suites thus test
 * the code `npm start` and `npx pgdrill` run, and the global setup compiles it first whenever a
 * source is newer (`freshBuild.ts`), so it is always the sources as they are. Types still come
 * from the sources: `tsc --noEmit -p .` checks the suites against them.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import type { BuildLayout } from './buildLayout.js';
import { REPOSITORY_BUILD } from './buildLayout.js';

/**
 * The compiled module standing for `source` imported from `importer`, or null when `source` is not
 * a module of the package's sources (a test helper, a dependency, a file that is not TypeScript).
 */
export function compiledModuleFor(
  source: string,
  importer: string,
  layout: BuildLayout = REPOSITORY_BUILD,
): string | null {
  if (!source.endsWith('.js') || !(source.startsWith('.') || isAbsolute(source))) return null;
  const target = resolve(dirname(importer), source);
  const inside = relative(layout.root, target);
  if (inside.startsWith('..') || isAbsolute(inside) || !layout.sourceDirectories.includes(inside.split(sep)[0]!))
    return null;
  if (!existsSync(target.replace(/\.js$/, '.ts'))) return null;
  return join(layout.buildDirectory, inside);
}

/**
 * The plugin. In watch mode it stands aside and the sources run through the module runner: the
 * global setup compiles once, before the first run, so a compiled module would not follow an edit.
 */
export function compiledPackage(): Plugin {
  let watching = false;
  return {
    name: 'pgdrill-compiled-package',
    enforce: 'pre',
    configureVitest({ vitest }) {
      watching = vitest.config.watch;
    },
    resolveId(source, importer) {
      return watching || importer === undefined ? null : compiledModuleFor(source, importer);
    },
  };
}
