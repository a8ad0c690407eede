import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { REPOSITORY_BUILD } from './test/support/buildLayout.js';
import { compiledPackage } from './test/support/compiledPackage.js';
import { CAMPAIGN_V8_FLAGS } from './src/cli/compilerFlags.js';
import HeavySuitesFirst from './test/support/heavySuitesFirst.js';

// Tests live in test/; property tests use fixed seeds, so a run is reproducible and CI is stable.
export default defineConfig({
  // The suites run the compiled package, as npm start does (test/support/compiledPackage.ts).
  plugins: [compiledPackage()],
  test: {
    include: ['test/**/*.test.ts'],
    // First `dist/` brought up to date with the sources (test/support/freshBuild.ts), then one real
    // PostgreSQL server per run for the concurrency suites (test/oracle/server).
    globalSetup: ['test/support/freshBuildSetup.ts', 'test/oracle/server/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // vitest leaves one core to its main process by default, which on a two-core machine means one
    // worker; the main process only collects results here, so every core runs test files.
    maxWorkers: availableParallelism(),
    // Each worker process runs its test files one after another in one module graph instead of
    // importing the engine, the model and vitest afresh for every file: on the two-core machine that
    // import was most of the CPU time of the short files (62 engine, model and harness files: 86 s of
    // CPU isolated, 30 s not). It asks one thing of a test: a global switch it flips
    // (setReadCaches, setIncrementalChecks, activateMutant, process.env) is restored when it ends.
    isolate: false,
    // The plan-verdict guard runs every plan's default campaign: the CLI's compiler settings
    // (src/cli/compilerFlags.ts) cut its optimising compiler's time as they cut npm start's.
    execArgv: [...CAMPAIGN_V8_FLAGS],
    sequence: { sequencer: HeavySuitesFirst },
    // The compiled package is loaded by Node itself, not through vitest's module runner, whose
    // rewritten imports made the plan campaigns 1.2 to 1.5 times slower (test/support/compiledPackage.ts).
    server: { deps: { external: [new RegExp(`^${escapeForRegExp(REPOSITORY_BUILD.buildDirectory)}[\\\\/]`)] } },
  },
});

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
