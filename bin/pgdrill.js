#!/usr/bin/env node
// The compiled CLI; `npm install` builds dist/ through the package's prepare script.
// The compiler settings for campaigns come first (src/cli/compilerFlags.ts says why), then the CLI.
import { useCampaignCompilerFlags } from '../dist/src/cli/compilerFlags.js';

useCampaignCompilerFlags();
const { main } = await import('../dist/model/runners/cli.js');
process.exitCode = await main(process.argv.slice(2));
