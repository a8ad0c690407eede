/**
 * Where the compiled package lives and what it is compiled from: `tsconfig.build.json` compiles the
 * directories it includes into `dist/`, each source `x.ts` into `dist/x.js`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildLayout {
  /** The repository root, which holds the build configuration. */
  readonly root: string;
  /** Where the compiled modules go (`outDir`). */
  readonly buildDirectory: string;
  /** The directories compiled (the build configuration's `include`), relative to the root. */
  readonly sourceDirectories: readonly string[];
  /** Files whose change changes every compiled module, relative to the root. */
  readonly configurationFiles: readonly string[];
}

/** The `include` of a tsconfig that lists plain directory names. */
export function includedDirectories(tsconfigPath: string): string[] {
  const config = JSON.parse(readFileSync(tsconfigPath, 'utf8')) as { include?: unknown };
  const include = config.include;
  if (!Array.isArray(include) || !include.every((entry) => typeof entry === 'string' && /^[\w-]+$/.test(entry)))
    throw new Error(`${tsconfigPath} must include plain directory names`);
  return include as string[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** This repository's: read from tsconfig.build.json, so the two cannot drift apart. */
export const REPOSITORY_BUILD: BuildLayout = {
  root,
  buildDirectory: join(root, 'dist'),
  sourceDirectories: includedDirectories(join(root, 'tsconfig.build.json')),
  configurationFiles: ['tsconfig.json', 'tsconfig.build.json'],
};
