// @vouch/cli: the vouch command line, importable for in-process runs (tests, wrappers).

export { EXIT_OK, EXIT_UNDECIDED, EXIT_UNTRUSTED, EXIT_USAGE, type ExitCode, exitCodeFor } from './exit.js';
export type { CliIo } from './io.js';
export { main } from './main.js';
export { slsaMain } from './slsa.js';
