/**
 * V8 settings for processes that run campaigns: the CLI (`bin/pgdrill.js`, its worker threads
 * included, which share the process's flags), the test suite's workers (vitest.config.ts) and the
 * mutation suite (bench/mutants.ts).
 *
 * A campaign spends a quarter to a third of its CPU time in TurboFan, V8's optimising compiler: its
 * scenarios run thousands of short, differently shaped code paths (every table's rows have their own
 * shape, every plan its own steps and traffic), so functions are optimised, meet a new shape, are
 * deoptimised and optimised again, and each optimisation inlines callees up to V8's default budget
 * (460 bytes of bytecode per callee, 920 in all). Smaller inlining budgets make each optimisation
 * cheaper, for code that is barely slower. Measured on the two-core machine (docs/performance.md,
 * "The optimising compiler's share of a campaign"): compile jobs of two safe plans' chunks took 5.5 s
 * instead of 7.9, and `npm start` 0.85 and 0.74 of its time in pairs run side by side. Only the
 * compiler's heuristics change: no result depends on them.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags, as `node` takes them on its command line. */
export const CAMPAIGN_V8_FLAGS: readonly string[] = Object.freeze([
  '--max-inlined-bytecode-size=100',
  '--max-inlined-bytecode-size-cumulative=300',
]);

/**
 * Sets `CAMPAIGN_V8_FLAGS` in this process. V8 reads them whenever it optimises a function, so they
 * take effect for every optimisation after the call; call it before the campaign's code runs hot.
 */
export function useCampaignCompilerFlags(): void {
  for (const flag of CAMPAIGN_V8_FLAGS) setFlagsFromString(flag);
}
