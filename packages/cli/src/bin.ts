#!/usr/bin/env node
// The `vouch` executable: wires the process's streams and environment into main() and sets the exit code.
import { main } from './main.js';
import { processIo } from './process-io.js';

process.exitCode = await main(process.argv.slice(2), processIo());
