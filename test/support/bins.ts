// Where the built executables are: the bundles `pnpm run build` writes, which the package's `bin` entries name.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/dist/bundle');

/** The `vouch` command. */
export const VOUCH_BIN = resolve(CLI_DIST, 'bin.js');

/** The `vouch-conformance` command (the Sigstore conformance CLI protocol). */
export const CONFORMANCE_BIN = resolve(CLI_DIST, 'conformance-bin.js');

/** The `vouch-slsa` command (slsa-verifier's command line). */
export const SLSA_BIN = resolve(CLI_DIST, 'slsa-bin.js');
