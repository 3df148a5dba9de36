#!/usr/bin/env node
// Entry point for the `aspen` CLI: the compiled code lives in dist/ (built by `npm ci` via the prepare script).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
