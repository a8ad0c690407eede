/**
 * Vitest global setup, first of all: the suites run the compiled package (`compiledPackage.ts`),
 * which must be the compilation of the sources as they are (`freshBuild.ts`). In watch mode the
 * plugin stands aside, and the suites are told which they run.
 */
import type { TestProject } from 'vitest/node';
import { ensureFreshBuild } from './freshBuild.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Whether the suites import the compiled package (`dist/`) rather than the sources. */
    pgdrillRunsCompiledPackage: boolean;
  }
}

export default function setup(project: TestProject): void {
  const compiled = !project.vitest.config.watch;
  // In watch mode the suites run the sources: nothing to compile.
  if (compiled) ensureFreshBuild();
  project.provide('pgdrillRunsCompiledPackage', compiled);
}
