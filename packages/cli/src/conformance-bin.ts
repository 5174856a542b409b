#!/usr/bin/env node
// The `vouch-conformance` executable: the Sigstore conformance CLI protocol over vouch's verifier.
import { conformanceMain } from './conformance.js';
import { processIo } from './process-io.js';

process.exitCode = await conformanceMain(process.argv.slice(2), processIo());
