// Keyless signing: an OIDC identity token buys a short-lived Fulcio certificate; Rekor and TSAs witness the signature.
// Types only: @sigstore/sign (and its HTTP stack) loads when keyless signing runs, never on the verify path.
import type { Bundle as SigstoreBundle, Signer as SigstoreSigner, Witness } from '@sigstore/sign';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type EnvelopeJson,
  encodeBase64,
  encodePem,
  IN_TOTO_PAYLOAD_TYPE,
  isObject,
  parseBundle,
  type StatementJson,
  serializeStatement,
  UsageError,
  VouchError,
} from '@vouch/core';
import { serviceUrl } from './urls.js';

/** Where keyless signing gets its certificate and witnesses, and the identity token it presents. */
export interface KeylessOptions {
  /** The OIDC identity token (a JWT). Else `SIGSTORE_ID_TOKEN`, else GitHub Actions' OIDC request, from `env`. */
  readonly identityToken?: string;
  /** Fulcio's base URL (`https://fulcio.sigstore.dev`); it serves `POST /api/v2/signingCert`. */
  readonly fulcioUrl: string;
  /** Rekor base URLs; each adds one transparency-log entry. */
  readonly rekorUrls?: readonly string[];
  /** Write Rekor v2 entries (`/api/v2/log/entries`) instead of v1. */
  readonly rekorV2?: boolean;
  /** RFC 3161 timestamp authority URLs (a bare origin gets `/api/v1/timestamp`); each adds one timestamp. */
  readonly tsaUrls?: readonly string[];
  /** Per-request timeout. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Retries of a request that failed with a connection error, 408, 429 or 5xx. Default 2. */
  readonly retries?: number;
  /** Where `SIGSTORE_ID_TOKEN` and `ACTIONS_ID_TOKEN_REQUEST_*` are read; the API never reads `process.env` itself. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A transparency-log entry as protobuf JSON (int64 as decimal strings, bytes as standard base64). */
export interface TlogEntryJson {
  readonly logIndex?: string;
  readonly logId?: { readonly keyId: string };
  readonly kindVersion?: { readonly kind: string; readonly version: string };
  readonly integratedTime?: string;
  readonly inclusionPromise?: { readonly signedEntryTimestamp: string };
  readonly inclusionProof?: {
    readonly logIndex?: string;
    readonly rootHash?: string;
    readonly treeSize?: string;
    readonly hashes?: readonly string[];
    readonly checkpoint?: { readonly envelope: string };
  };
  readonly canonicalizedBody?: string;
}

/** The JSON of a keyless v0.3 DSSE bundle: the Fulcio leaf certificate, log entries and timestamps. */
interface KeylessBundleBase {
  readonly mediaType: typeof BUNDLE_V03_MEDIA_TYPE;
  readonly verificationMaterial: {
    readonly certificate: { readonly rawBytes: string };
    readonly tlogEntries: readonly TlogEntryJson[];
    readonly timestampVerificationData: {
      readonly rfc3161Timestamps: readonly { readonly signedTimestamp: string }[];
    };
  };
}

/** A keyless DSSE bundle (a statement or other payload). */
export interface KeylessDsseBundleJson extends KeylessBundleBase {
  readonly dsseEnvelope: EnvelopeJson;
}

/** A keyless message-signature bundle (the artifact's bytes signed; `hashedrekord` in the log). */
export interface KeylessMessageBundleJson extends KeylessBundleBase {
  readonly messageSignature: {
    readonly messageDigest: { readonly algorithm: string; readonly digest: string };
    readonly signature: string;
  };
}

/** Either kind of keyless bundle. */
export type KeylessBundleJson = KeylessDsseBundleJson | KeylessMessageBundleJson;

/** What keyless signing returns: the bundle and the signing certificate (PEM) Fulcio issued. */
export interface KeylessSignature<B extends KeylessBundleJson = KeylessBundleJson> {
  readonly bundle: B;
  readonly certificate: string;
}

/** Sigstore public-good's services, used only when the caller names none and says so on stderr. */
export const PUBLIC_GOOD_KEYLESS: Readonly<{ fulcioUrl: string; rekorUrls: readonly string[] }> =
  Object.freeze({
    fulcioUrl: 'https://fulcio.sigstore.dev',
    rekorUrls: Object.freeze(['https://rekor.sigstore.dev']),
  });

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 2;
const JWT_PART = /^[A-Za-z0-9_-]+$/;

/** An HTTPS URL, or plain HTTP on loopback only (test services); trailing slashes dropped. */
function base64UrlJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Checks an identity token's shape without printing it: three base64url parts whose payload names an issuer and a
 * subject (`sub` or `email`). Fulcio checks the signature; this only turns a pasted-wrong value into a usage error.
 */
function checkTokenShape(token: string, source: string): string {
  const parts = token.split('.');
  const payload =
    parts.length === 3 && parts.every((p) => JWT_PART.test(p)) ? base64UrlJson(parts[1] ?? '') : undefined;
  if (!isObject(payload)) {
    throw new UsageError(
      'ERR_USAGE',
      `the identity token from ${source} is not a JWT: expected three base64url parts with a JSON payload (token not shown)`,
    );
  }
  if (
    typeof payload.iss !== 'string' ||
    (typeof payload.sub !== 'string' && typeof payload.email !== 'string')
  ) {
    throw new UsageError(
      'ERR_USAGE',
      `the identity token from ${source} must name an issuer (iss) and a subject (sub or email) (token not shown)`,
    );
  }
  return token;
}

function errorReason(e: unknown): string {
  if (isObject(e) && typeof e.code === 'string') return e.code;
  return e instanceof Error ? e.name : 'unknown error';
}

async function githubActionsToken(
  requestUrl: string,
  requestToken: string,
  timeoutMs: number,
): Promise<string> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    throw new UsageError('ERR_USAGE', 'ACTIONS_ID_TOKEN_REQUEST_URL must be an absolute URL');
  }
  url.searchParams.set('audience', 'sigstore');
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `bearer ${requestToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new VouchError(
      'ERR_IO',
      `could not reach the GitHub Actions OIDC endpoint ${url.origin} (${errorReason(e)})`,
    );
  }
  if (!response.ok) {
    throw new VouchError(
      'ERR_IO',
      `the GitHub Actions OIDC endpoint ${url.origin} answered HTTP ${response.status}; does the job have permissions: id-token: write?`,
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!isObject(body) || typeof body.value !== 'string' || body.value === '') {
    throw new VouchError(
      'ERR_IO',
      `the GitHub Actions OIDC endpoint ${url.origin} answered without a token: expected JSON {"value": "<jwt>"}`,
    );
  }
  return body.value;
}

/**
 * Finds the identity token: the explicit option, else `SIGSTORE_ID_TOKEN`, else GitHub Actions' OIDC request
 * (`ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, audience `sigstore`). The token is never put in
 * an error message.
 *
 * @throws UsageError `ERR_USAGE` when there is none or it is not a JWT; VouchError `ERR_IO` when GitHub's endpoint fails
 * @example
 * ```ts
 * const token = await resolveIdentityToken({ env: process.env });
 * ```
 */
export async function resolveIdentityToken(options: {
  readonly identityToken?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}): Promise<string> {
  const env = options.env ?? {};
  const explicit = options.identityToken?.trim();
  if (explicit !== undefined && explicit !== '') return checkTokenShape(explicit, 'the identityToken option');
  const fromEnv = env.SIGSTORE_ID_TOKEN?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return checkTokenShape(fromEnv, 'SIGSTORE_ID_TOKEN');
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (requestUrl && requestToken) {
    const token = await githubActionsToken(requestUrl, requestToken, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return checkTokenShape(token.trim(), 'the GitHub Actions OIDC endpoint');
  }
  throw new UsageError(
    'ERR_USAGE',
    'keyless signing needs an OIDC identity token: pass --identity-token (identityToken), set SIGSTORE_ID_TOKEN, ' +
      'or run in GitHub Actions with permissions: id-token: write',
  );
}

/** Turns a failed Sigstore request into ERR_IO naming the service, the URL and the HTTP status. */
function serviceError(service: string, url: string, e: unknown): VouchError {
  if (e instanceof VouchError) return e;
  // sigstore-js's InternalError: a code and the underlying HTTPError (with statusCode) as its cause.
  const internal = e instanceof Error && e.name === 'InternalError' && isObject(e) ? e : undefined;
  const cause = internal ? internal.cause : e;
  if (internal?.code === 'IDENTITY_TOKEN_PARSE_ERROR') {
    // sigstore-js puts the token in this message: keep it (and its cause) out of ours.
    return new UsageError('ERR_USAGE', 'the identity token has no usable subject claim (token not shown)');
  }
  if (isObject(cause) && typeof cause.statusCode === 'number') {
    const detail = cause instanceof Error ? cause.message.replace(/^\(\d+\)\s*/, '') : '';
    return new VouchError(
      'ERR_IO',
      `${service} at ${url} answered HTTP ${cause.statusCode}${detail ? ` (${detail})` : ''}`,
      { cause },
    );
  }
  return new VouchError(
    'ERR_IO',
    `could not get a response from ${service} at ${url} (${errorReason(cause)})`,
    {
      cause,
    },
  );
}

function witnessFor(service: string, url: string, witness: Witness): Witness {
  return {
    testify: (content, publicKey) =>
      witness.testify(content, publicKey).catch((e: unknown) => {
        throw serviceError(service, url, e);
      }),
  };
}

// protobuf-specs' HashAlgorithm enum values, by number, as their JSON names.
const HASH_ALGORITHM_NAMES: Readonly<Record<number, string>> = {
  1: 'SHA2_256',
  2: 'SHA2_384',
  3: 'SHA2_512',
  4: 'SHA3_256',
  5: 'SHA3_384',
};

function b64(bytes: Uint8Array): string {
  return encodeBase64(bytes);
}

/** sigstore-js's protobuf bundle to protobuf JSON, field for field as sigstore-js serializes it (defaults omitted). */
function toBundleJson(bundle: SigstoreBundle): KeylessBundleJson {
  const vm = bundle.verificationMaterial;
  const content = bundle.content;
  // @sigstore/sign packs a message signature's certificate as a one-element chain; v0.3 carries the leaf alone.
  const leaf =
    vm?.content?.$case === 'certificate'
      ? vm.content.certificate.rawBytes
      : vm?.content?.$case === 'x509CertificateChain'
        ? vm.content.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (leaf === undefined || (content?.$case !== 'dsseEnvelope' && content?.$case !== 'messageSignature')) {
    throw new VouchError(
      'ERR_INTERNAL',
      `expected a bundle with a certificate from @sigstore/sign, found ${vm?.content?.$case ?? 'no key material'} and ${content?.$case ?? 'no content'}`,
    );
  }
  const tlogEntries = vm.tlogEntries.map((e): TlogEntryJson => {
    const proof = e.inclusionProof;
    return {
      ...(e.logIndex === '0' ? {} : { logIndex: e.logIndex }),
      ...(e.logId ? { logId: { keyId: b64(e.logId.keyId) } } : {}),
      ...(e.kindVersion ? { kindVersion: { kind: e.kindVersion.kind, version: e.kindVersion.version } } : {}),
      ...(e.integratedTime === '0' ? {} : { integratedTime: e.integratedTime }),
      ...(e.inclusionPromise
        ? { inclusionPromise: { signedEntryTimestamp: b64(e.inclusionPromise.signedEntryTimestamp) } }
        : {}),
      ...(proof
        ? {
            inclusionProof: {
              ...(proof.logIndex === '0' ? {} : { logIndex: proof.logIndex }),
              ...(proof.rootHash.length === 0 ? {} : { rootHash: b64(proof.rootHash) }),
              ...(proof.treeSize === '0' ? {} : { treeSize: proof.treeSize }),
              ...(proof.hashes.length === 0 ? {} : { hashes: proof.hashes.map(b64) }),
              ...(proof.checkpoint ? { checkpoint: { envelope: proof.checkpoint.envelope } } : {}),
            },
          }
        : {}),
      ...(e.canonicalizedBody.length === 0 ? {} : { canonicalizedBody: b64(e.canonicalizedBody) }),
    };
  });
  const timestamps = vm.timestampVerificationData?.rfc3161Timestamps ?? [];
  const verificationMaterial = {
    certificate: { rawBytes: b64(leaf) },
    tlogEntries,
    timestampVerificationData: {
      rfc3161Timestamps: timestamps.map((t) => ({ signedTimestamp: b64(t.signedTimestamp) })),
    },
  };
  if (content.$case === 'messageSignature') {
    const m = content.messageSignature;
    return {
      mediaType: BUNDLE_V03_MEDIA_TYPE,
      verificationMaterial,
      messageSignature: {
        messageDigest: {
          algorithm: HASH_ALGORITHM_NAMES[m.messageDigest?.algorithm ?? -1] ?? 'HASH_ALGORITHM_UNSPECIFIED',
          digest: b64(m.messageDigest?.digest ?? new Uint8Array()),
        },
        signature: b64(m.signature),
      },
    };
  }
  const envelope = content.dsseEnvelope;
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial,
    dsseEnvelope: {
      payload: b64(envelope.payload),
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ sig: b64(s.sig), keyid: s.keyid })),
    },
  };
}

function deepFreezeJson<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreezeJson(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Signs an in-toto Statement keyless: DSSE over the statement with an ephemeral P-256 key, certified by Fulcio for the
 * identity token's subject, then entered in each Rekor log and timestamped by each TSA. Returns a bundle v0.3 that
 * sigstore-js and vouch verify against the services' trusted root.
 *
 * @throws UsageError `ERR_USAGE` (no token, bad URL, no log and no TSA); VouchError `ERR_IO` (a service failed,
 *   with its HTTP status)
 * @example
 * ```ts
 * const statement = buildStatement({ subject: [{ digest: { sha256: hex } }], predicateType, predicate: {} });
 * const { bundle } = await signStatementKeyless({ statement, keyless: { fulcioUrl, rekorUrls: [rekorUrl], env: process.env } });
 * ```
 */
export async function signStatementKeyless(options: {
  readonly statement: StatementJson;
  readonly keyless: KeylessOptions;
}): Promise<KeylessSignature<KeylessDsseBundleJson>> {
  return signKeyless(
    { dsse: { payload: serializeStatement(options.statement), type: IN_TOTO_PAYLOAD_TYPE } },
    options.keyless,
  ) as Promise<KeylessSignature<KeylessDsseBundleJson>>;
}

/**
 * Signs any DSSE payload keyless (e.g. an in-toto statement exactly as given, byte for byte).
 *
 * @example
 * ```ts
 * const { bundle } = await signPayloadKeyless({ payload: statementBytes, payloadType: 'application/vnd.in-toto+json', keyless });
 * ```
 */
export function signPayloadKeyless(options: {
  readonly payload: Uint8Array;
  readonly payloadType: string;
  readonly keyless: KeylessOptions;
}): Promise<KeylessSignature<KeylessDsseBundleJson>> {
  return signKeyless(
    { dsse: { payload: options.payload, type: options.payloadType } },
    options.keyless,
  ) as Promise<KeylessSignature<KeylessDsseBundleJson>>;
}

/**
 * Signs an artifact's bytes keyless as a message signature (a `hashedrekord` bundle, as `cosign sign-blob` and the
 * Sigstore clients write for a file).
 *
 * @example
 * ```ts
 * const { bundle } = await signArtifactKeyless({ artifact: await readFile('app.tgz'), keyless });
 * ```
 */
export function signArtifactKeyless(options: {
  readonly artifact: Uint8Array;
  readonly keyless: KeylessOptions;
}): Promise<KeylessSignature<KeylessMessageBundleJson>> {
  return signKeyless({ message: options.artifact }, options.keyless) as Promise<
    KeylessSignature<KeylessMessageBundleJson>
  >;
}

type KeylessContent =
  | { readonly dsse: { readonly payload: Uint8Array; readonly type: string } }
  | { readonly message: Uint8Array };

async function signKeyless(content: KeylessContent, k: KeylessOptions): Promise<KeylessSignature> {
  const fulcioUrl = serviceUrl(k.fulcioUrl, 'the Fulcio URL');
  const rekorUrls = (k.rekorUrls ?? []).map((u) => serviceUrl(u, 'a Rekor URL'));
  const tsaUrls = (k.tsaUrls ?? []).map((u) => serviceUrl(u, 'a timestamp authority URL'));
  if (rekorUrls.length === 0 && tsaUrls.length === 0) {
    throw new UsageError(
      'ERR_USAGE',
      'keyless signing needs a time source for the short-lived certificate: at least one Rekor URL or timestamp authority URL',
    );
  }
  const timeout = k.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new UsageError('ERR_USAGE', `timeoutMs must be a positive integer, found ${String(timeout)}`);
  }
  const retries = k.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new UsageError('ERR_USAGE', `retries must be an integer from 0 to 10, found ${String(retries)}`);
  }
  const token = await resolveIdentityToken({
    ...(k.identityToken === undefined ? {} : { identityToken: k.identityToken }),
    ...(k.env === undefined ? {} : { env: k.env }),
    timeoutMs: timeout,
  });
  const { DSSEBundleBuilder, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, TSAWitness } =
    await import('@sigstore/sign');
  const fetchOptions = { timeout, retry: { retries } };
  const fulcio = new FulcioSigner({
    fulcioBaseURL: fulcioUrl,
    identityProvider: { getToken: () => Promise.resolve(token) },
    ...fetchOptions,
  });
  const signer: SigstoreSigner = {
    sign: (data) =>
      fulcio.sign(data).catch((e: unknown) => {
        throw serviceError('Fulcio', fulcioUrl, e);
      }),
  };
  const witnesses: Witness[] = [
    ...rekorUrls.map((url) =>
      witnessFor(
        'Rekor',
        url,
        new RekorWitness({ rekorBaseURL: url, majorApiVersion: k.rekorV2 ? 2 : 1, ...fetchOptions }),
      ),
    ),
    ...tsaUrls.map((url) =>
      witnessFor('the timestamp authority', url, new TSAWitness({ tsaBaseURL: url, ...fetchOptions })),
    ),
  ];
  const created =
    'dsse' in content
      ? await new DSSEBundleBuilder({ signer, witnesses }).create({
          data: Buffer.from(content.dsse.payload),
          type: content.dsse.type,
        })
      : await new MessageSignatureBundleBuilder({ signer, witnesses }).create({
          data: Buffer.from(content.message),
        });
  const bundle = deepFreezeJson(toBundleJson(created));
  // What we write must be what vouch reads: a service answer that breaks the bundle shape fails here, not later.
  try {
    parseBundle(bundle);
  } catch (e) {
    throw new VouchError(
      'ERR_IO',
      'the Sigstore services returned material that does not form a valid bundle',
      {
        cause: e,
      },
    );
  }
  return Object.freeze({
    bundle,
    certificate: encodePem(
      'CERTIFICATE',
      Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'),
    ),
  });
}

/**
 * Serializes a keyless bundle as compact JSON (what sigstore-js and cosign write to `*.sigstore.json`).
 *
 * @example
 * ```ts
 * await writeFile('app.sigstore.json', serializeKeylessBundle(bundle));
 * ```
 */
export function serializeKeylessBundle(bundle: KeylessBundleJson): string {
  return JSON.stringify(bundle);
}
