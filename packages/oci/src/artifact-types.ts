// Media types, annotation keys and tag suffixes of the Sigstore bundle layout (cosign v3) and cosign's legacy tags.

/** The media type of a Sigstore bundle v0.3 (layer media type and `artifactType` of the referring manifest). */
export const SIGSTORE_BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Any Sigstore bundle version (v0.1–v0.3): the referrers vouch reads as bundles. */
export const SIGSTORE_BUNDLE_MEDIA_TYPE =
  /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.[1-3])?\+json(?:;version=0\.[1-3])?$/;
/** Annotation saying what a bundle holds: `dsse-envelope` or `message-signature`. */
export const ANNOTATION_BUNDLE_CONTENT = 'dev.sigstore.bundle.content';
export const ANNOTATION_BUNDLE_PREDICATE_TYPE = 'dev.sigstore.bundle.predicateType';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';

/** The empty config blob `{}` every artifact manifest points to. */
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** cosign's legacy `.sig` layer: a simple-signing payload. */
export const COSIGN_SIMPLESIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** cosign's legacy `.att` layer: a DSSE envelope. */
export const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
export const ANNOTATION_COSIGN_SIGNATURE = 'dev.cosignproject.cosign/signature';
export const ANNOTATION_COSIGN_CERTIFICATE = 'dev.sigstore.cosign/certificate';
export const ANNOTATION_COSIGN_CHAIN = 'dev.sigstore.cosign/chain';
export const ANNOTATION_COSIGN_BUNDLE = 'dev.sigstore.cosign/bundle';
export const ANNOTATION_COSIGN_TIMESTAMP = 'dev.sigstore.cosign/rfc3161timestamp';
export const ANNOTATION_PREDICATE_TYPE = 'predicateType';
/** cosign 2's OCI 1.1 referrer (`--registry-referrers-mode=oci-1-1`): a manifest of simple-signing layers. */
export const COSIGN_SIGNATURE_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';
/** cosign 2's OCI 1.1 attestation referrer: a manifest of DSSE layers. */
export const COSIGN_ATTESTATION_ARTIFACT = 'application/vnd.dev.cosign.artifact.att.v1+json';
