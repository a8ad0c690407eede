#!/usr/bin/env node
// The compiled CLI; `npm install` builds dist/ through the package's prepare script.
import { main } from '../dist/model/runners/cli.js';

process.exitCode = await main(process.argv.slice(2));
