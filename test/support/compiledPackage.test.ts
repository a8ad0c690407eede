import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { assert } from '../../src/engine/assert.js';
import type { BuildLayout } from './buildLayout.js';
import { REPOSITORY_BUILD } from './buildLayout.js';
import { compiledModuleFor } from './compiledPackage.js';
import { staleBuildReason } from './freshBuild.js';
import { temporaryDirectory } from './temporaryDirectory.js';

/** A small repository: tsconfigs, `src/a.ts` and `src/deep/b.ts`, compiled into `out/` unless told. */
function fakeRepository(compiled: boolean): BuildLayout {
  const root = temporaryDirectory('build');
  for (const file of ['tsconfig.json', 'tsconfig.build.json']) writeFileSync(join(root, file), '{}');
  mkdirSync(join(root, 'src', 'deep'), { recursive: true });
  writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;');
  writeFileSync(join(root, 'src', 'deep', 'b.ts'), 'export const b = 2;');
  writeFileSync(join(root, 'src', 'types.d.ts'), 'export type T = 1;');
  const layout = {
    root,
    buildDirectory: join(root, 'out'),
    sourceDirectories: ['src'],
    configurationFiles: ['tsconfig.json', 'tsconfig.build.json'],
  };
  if (compiled) {
    mkdirSync(join(root, 'out', 'src', 'deep'), { recursive: true });
    writeFileSync(join(root, 'out', 'src', 'a.js'), '');
    writeFileSync(join(root, 'out', 'src', 'deep', 'b.js'), '');
  }
  return layout;
}

/** Sets a file's modification time to `seconds` after the epoch. */
const stamp = (path: string, seconds: number): void => utimesSync(path, seconds, seconds);

describe('the suites run the compiled package', () => {
  it('this run imports the package from dist/ (the sources in watch mode)', () => {
    // An engine assertion's stack names the module that threw.
    let stack = '';
    try {
      assert(false, 'where am I');
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    if (inject('pgdrillRunsCompiledPackage'))
      expect(stack).toContain(join(REPOSITORY_BUILD.buildDirectory, 'src', 'engine', 'assert.js'));
    else expect(stack).toContain(join(REPOSITORY_BUILD.root, 'src', 'engine', 'assert.ts'));
  });

  it('maps an import of a package source to its compiled module, and nothing else', () => {
    const layout = fakeRepository(true);
    const importer = join(layout.root, 'test', 'x', 'y.test.ts');
    expect(compiledModuleFor('../../src/a.js', importer, layout)).toBe(join(layout.root, 'out', 'src', 'a.js'));
    expect(compiledModuleFor(join(layout.root, 'src', 'deep', 'b.js'), importer, layout)).toBe(
      join(layout.root, 'out', 'src', 'deep', 'b.js'),
    );
    // A test helper, a source that is not TypeScript, a dependency, a TypeScript specifier.
    expect(compiledModuleFor('../support/helper.js', importer, layout)).toBeNull();
    expect(compiledModuleFor('../../src/missing.js', importer, layout)).toBeNull();
    expect(compiledModuleFor('vitest', importer, layout)).toBeNull();
    expect(compiledModuleFor('../../src/a.ts', importer, layout)).toBeNull();
    // Outside the repository, even under a directory of the same name.
    expect(compiledModuleFor('../../../src/a.js', importer, layout)).toBeNull();
  });

  it('the build is fresh when every source is compiled after its last change and the configuration', () => {
    const layout = fakeRepository(true);
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'src/a.ts', 'src/deep/b.ts'])
      stamp(join(layout.root, file), 1000);
    for (const file of ['out/src/a.js', 'out/src/deep/b.js']) stamp(join(layout.root, file), 2000);
    expect(staleBuildReason(layout)).toBeNull();

    stamp(join(layout.root, 'src', 'deep', 'b.ts'), 3000);
    expect(staleBuildReason(layout)).toBe(`${join('src', 'deep', 'b.ts')} changed after it was compiled`);
    stamp(join(layout.root, 'src', 'deep', 'b.ts'), 1000);

    stamp(join(layout.root, 'tsconfig.build.json'), 3000);
    expect(staleBuildReason(layout)).toBe('the build configuration changed after the last build');
    stamp(join(layout.root, 'tsconfig.build.json'), 1000);

    writeFileSync(join(layout.root, 'src', 'c.ts'), 'export const c = 3;');
    expect(staleBuildReason(layout)).toBe(`${join('src', 'c.ts')} has no compiled module`);
  });

  it('a repository never compiled is stale; this one is fresh when the suites run it, as the global setup left it', () => {
    expect(staleBuildReason(fakeRepository(false))).toBe(`${join('src', 'a.ts')} has no compiled module`);
    // In watch mode the suites run the sources and nothing is compiled.
    if (inject('pgdrillRunsCompiledPackage')) expect(staleBuildReason()).toBeNull();
  });
});
