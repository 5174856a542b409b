#!/usr/bin/env node
// The `vouch-slsa` executable: slsa-verifier's command line over vouch's verifier.
import { processIo } from './process-io.js';
import { slsaMain } from './slsa.js';

process.exitCode = await slsaMain(process.argv.slice(2), processIo());
