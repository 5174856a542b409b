// The cold-path baseline for `pnpm bench`: a plain node script that verifies one Sigstore bundle with @sigstore/verify.
// Usage: node cold-sigstore-verify.mjs --bundle B --certificate-identity I --certificate-oidc-issuer U --trusted-root F FILE
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

const { values, positionals } = parseArgs({
  options: {
    bundle: { type: 'string' },
    'certificate-identity': { type: 'string' },
    'certificate-oidc-issuer': { type: 'string' },
    'trusted-root': { type: 'string' },
  },
  allowPositionals: true,
});
// protobuf-specs is @sigstore/verify's own dependency: resolve it from there.
const specs = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'))(
  '@sigstore/protobuf-specs',
);

const root = specs.TrustedRoot.fromJSON(JSON.parse(readFileSync(values['trusted-root'], 'utf8')));
const bundle = bundleFromJSON(JSON.parse(readFileSync(values.bundle, 'utf8')));
const artifact = readFileSync(positionals[0]);
const verifier = new Verifier(toTrustMaterial(root));
verifier.verify(toSignedEntity(bundle, artifact), {
  subjectAlternativeName: values['certificate-identity'],
  extensions: { issuer: values['certificate-oidc-issuer'] },
});
process.stdout.write('verified\n');
