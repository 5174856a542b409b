// vouch verify-attestation: verify the attestations attached to an image (bundles and cosign's legacy .att), key or keyless.
import { resolvePredicateType, verifyFileAttestations, verifyImageAttestations } from 'vouch';
import { booleanFlag, parseCommandArgs, stringFlag, stringFlags } from '../args.js';
import { EXIT_OK } from '../exit.js';
import { type CheckView, createRenderer } from '../render.js';
import { SLSA_POLICY_OPTIONS, slsaPolicyFromFlags } from '../slsa-flags.js';
import { help } from './keygen.js';
import { publicKeysFromFiles } from './keys.js';
import { REGISTRY_OPTIONS, REGISTRY_USAGE, registryOptionsFromArgs } from './registry-flags.js';
import type { Command } from './types.js';
import {
  EXIT_CODES,
  KEYLESS_FLAGS,
  KEYLESS_OPTIONS,
  signerText,
  trustedRootFrom,
  trustFrom,
} from './verify.js';

export const verifyAttestationCommand: Command = {
  usage: `vouch verify-attestation IMAGE [--type TYPE] (--key PUB [--key PUB]... | keyless flags) [SLSA flags] [--print-statement] [registry flags] [--output text|json]
vouch verify-attestation FILE --bundle BUNDLE [--bundle BUNDLE]... [--type TYPE] (--key PUB... | keyless flags) [SLSA flags]

  Verifies the attestations attached to IMAGE (Sigstore bundles by referrers API or fallback tag, and cosign's legacy
  .att layers, key-based or keyless), or the given bundles about FILE: the envelope's signature and signer, and that
  the statement names the artifact's digest. At least one of the required type must verify; others are ignored.
  SLSA flags (keyless provenance from GitHub builders, as slsa-verifier): --source-uri URI [--builder-id ID]
    [--source-branch B] [--source-tag T] [--source-versioned-tag V] [--build-workflow-input k=v]...
  --type       the predicate type: a URI, or slsaprovenance (v0.2), slsaprovenance02, slsaprovenance1, vsa, link,
               spdx, spdxjson, cyclonedx, vuln, openvex, custom. Default: any (but cosign's image signature)
  --key        a trusted public key (PEM or JWK file; repeatable)
  --print-statement   print each verified statement (JSON) on stdout
${KEYLESS_FLAGS}
${REGISTRY_USAGE}
${EXIT_CODES}`,
  async run(argv, io) {
    const args = parseCommandArgs(
      argv,
      {
        type: { type: 'string' },
        key: { type: 'string', multiple: true },
        'print-statement': { type: 'boolean', default: false },
        bundle: { type: 'string', multiple: true },
        ...SLSA_POLICY_OPTIONS,
        ...REGISTRY_OPTIONS,
        ...KEYLESS_OPTIONS,
      },
      ['IMAGE'],
    );
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [image = ''] = args.positionals;
    const type = stringFlag(args, 'type');
    const predicateType = type === undefined ? undefined : resolvePredicateType(type);
    const trust = trustFrom(args);
    const trustedRoot = trustedRootFrom(args);
    const slsa = slsaPolicyFromFlags(args.values);
    const common = {
      ...(predicateType === undefined ? {} : { predicateType }),
      ...('identity' in trust
        ? { identity: trust.identity }
        : { keys: await publicKeysFromFiles(trust.keys) }),
      ...(trustedRoot === undefined ? {} : { trustedRoot }),
      ...(slsa === undefined ? {} : { slsa }),
    };
    const bundles = stringFlags(args, 'bundle');
    const result =
      bundles.length > 0
        ? {
            ...(await verifyFileAttestations({ artifact: { path: image }, bundles, ...common })),
            reference: { canonical: image },
          }
        : await verifyImageAttestations({
            image,
            registry: registryOptionsFromArgs(args, io, image, out),
            ...common,
          });
    const printStatement = booleanFlag(args, 'print-statement');
    const lines: string[] = [];
    for (const a of result.attestations) {
      const checks: readonly CheckView[] = a.checks;
      lines.push(
        `${a.predicateType} (${a.format} at ${a.location})`,
        ...out.checks(checks),
        ...out.checks(a.slsa ?? []),
      );
      if (printStatement) lines.push(JSON.stringify(a.statement.raw));
    }
    for (const r of result.rejected)
      lines.push(`Refused ${r.format} at ${r.location}: ${r.message} [${r.code}]`);
    lines.push(
      `Verified OK: ${result.attestations.length} attestation(s) about ${result.reference.canonical}, signed by ${[...new Set(result.attestations.map((a) => signerText(a.signer)))].join(', ')}`,
    );
    out.result(
      {
        ok: true,
        command: 'verify-attestation',
        image: result.reference.canonical,
        digest: result.digest.value,
        attestations: result.attestations.map((a) => ({
          format: a.format,
          location: a.location,
          predicateType: a.predicateType,
          signer: a.signer,
          times: a.times,
          checks: a.checks,
          ...(a.slsa === undefined ? {} : { slsa: a.slsa }),
          ...(printStatement ? { statement: a.statement.raw } : {}),
        })),
        rejected: result.rejected,
      },
      lines,
    );
    return EXIT_OK;
  },
};
