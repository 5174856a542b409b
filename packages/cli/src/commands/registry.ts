// vouch attach / vouch tree: attach an existing bundle to an image, and list what is attached to it.
import { type AttachedArtifact, attachBundleToImage, listAttached } from 'vouch';
import { parseCommandArgs, required, stringFlag } from '../args.js';
import { EXIT_OK } from '../exit.js';
import { createRenderer } from '../render.js';
import { help } from './keygen.js';
import { REGISTRY_OPTIONS, REGISTRY_USAGE, registryOptionsFromArgs } from './registry-flags.js';
import type { Command } from './types.js';

const VIA = { 'referrers-api': 'referrers API', 'fallback-tag': 'fallback tag' } as const;

export const attachCommand: Command = {
  usage: `vouch attach --bundle BUNDLE IMAGE [registry flags] [--output text|json]

  Attaches a Sigstore bundle to IMAGE (tag or digest) as cosign v3 does: an OCI artifact whose subject is the image,
  found through the referrers API or the OCI 1.1 fallback tag. A DSSE bundle must be a statement about IMAGE's digest.
${REGISTRY_USAGE}`,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { bundle: { type: 'string' }, ...REGISTRY_OPTIONS }, ['IMAGE']);
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [image = ''] = args.positionals;
    const bundle = required(stringFlag(args, 'bundle'), '--bundle');
    const result = await attachBundleToImage({
      image,
      bundle,
      registry: registryOptionsFromArgs(args, io, image, out),
    });
    out.result(
      {
        ok: true,
        command: 'attach',
        image: result.image.reference.canonical,
        digest: result.image.digest.value,
        attached: { digest: result.digest.value, via: result.via },
      },
      [
        `Attached ${bundle} to ${result.image.reference.canonical} as ${result.digest.value} (${VIA[result.via]})`,
      ],
    );
    return EXIT_OK;
  },
};

const GROUPS: readonly { readonly format: AttachedArtifact['format']; readonly title: string }[] = [
  { format: 'sigstore-bundle', title: 'Sigstore bundles' },
  { format: 'referrer', title: 'Other referrers' },
  { format: 'legacy-signature', title: 'Legacy signatures (cosign .sig)' },
  { format: 'legacy-attestation', title: 'Legacy attestations (cosign .att)' },
];

function describeArtifact(a: AttachedArtifact): string {
  const parts = [a.location];
  if (a.predicateType !== undefined) parts.push(`predicateType ${a.predicateType}`);
  if (a.format === 'referrer' && a.artifactType !== undefined) parts.push(`artifactType ${a.artifactType}`);
  if (a.keyless !== undefined) parts.push(a.keyless ? 'keyless (certificate)' : 'key');
  if (a.created !== undefined) parts.push(`created ${a.created}`);
  return parts.join('  ');
}

export const treeCommand: Command = {
  usage: `vouch tree IMAGE [registry flags] [--output text|json]

  Lists what is attached to IMAGE (tag or digest), by format: Sigstore bundles and other referrers (referrers API or
  fallback tag), cosign's legacy .sig signatures and .att attestations. Nothing is verified: use vouch verify.
${REGISTRY_USAGE}`,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { ...REGISTRY_OPTIONS }, ['IMAGE']);
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [image = ''] = args.positionals;
    const listing = await listAttached({ image, registry: registryOptionsFromArgs(args, io, image, out) });
    const groups = GROUPS.map((g) => ({
      ...g,
      items: listing.artifacts.filter((a) => a.format === g.format),
    })).filter((g) => g.items.length > 0);
    const lines = [listing.image.reference.canonical];
    if (groups.length === 0) lines.push('└── (nothing attached)');
    groups.forEach((g, gi) => {
      const lastGroup = gi === groups.length - 1;
      const via = g.format === 'sigstore-bundle' || g.format === 'referrer' ? ` (${VIA[listing.via]})` : '';
      lines.push(`${lastGroup ? '└── ' : '├── '}${g.title}${via}`);
      g.items.forEach((a, ai) => {
        lines.push(
          `${lastGroup ? '    ' : '│   '}${ai === g.items.length - 1 ? '└── ' : '├── '}${describeArtifact(a)}`,
        );
      });
    });
    out.result(
      {
        ok: true,
        command: 'tree',
        image: listing.image.reference.canonical,
        digest: listing.image.digest.value,
        via: listing.via,
        artifacts: listing.artifacts,
      },
      lines,
    );
    return EXIT_OK;
  },
};
