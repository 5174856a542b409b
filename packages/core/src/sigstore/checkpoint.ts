// Transparency-log checkpoints: the signed-note parser (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) and the check of the log's signature.
import { bytesEqual, decodeBase64, encodeHex, utf8 } from '../encoding.js';
import { ParseError, VerificationError } from '../errors.js';
import type { TrustedLog } from './types.js';

/** One signature line of a signed note: `— <name> <base64(keyHint || signature)>`. */
export interface CheckpointSignature {
  readonly name: string;
  /** The first 4 bytes of the signer's key id. */
  readonly keyHint: Uint8Array;
  readonly signature: Uint8Array;
}

/** A parsed (not yet verified) checkpoint. */
export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: bigint;
  readonly rootHash: Uint8Array;
  /** Optional lines after the root hash (Rekor v1 writes `Timestamp: <ns>`). */
  readonly extensions: readonly string[];
  /** The signed text: every body line, each ending in a newline. */
  readonly text: string;
  readonly signatures: readonly CheckpointSignature[];
}

const CODE = 'ERR_TLOG_CHECKPOINT';
const MAX_LENGTH = 65_536;
// golang.org/x/mod/sumdb/note refuses notes with more signatures than this; so do we.
const MAX_SIGNATURES = 100;
const INT64_MAX = (1n << 63n) - 1n;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const BASE64_STD = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `text` holds a control character other than newline, or a lone surrogate (text with no UTF-8 form). */
function hasBadChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}
const SIG_PREFIX = '\u2014 ';

function malformed(path: string, message: string): ParseError {
  return new ParseError(CODE, [{ path: path === '' ? 'checkpoint' : `checkpoint.${path}`, message }]);
}

function decodeStd(value: string, path: string): Uint8Array | undefined {
  if (!BASE64_STD.test(value)) return undefined;
  try {
    return decodeBase64(value, path);
  } catch {
    return undefined;
  }
}

function parseSignatureLine(line: string, index: number): CheckpointSignature {
  const path = `signatures[${index}]`;
  if (!line.startsWith(SIG_PREFIX)) {
    throw malformed(
      path,
      `must start with "\u2014 " (em dash, space), found ${JSON.stringify(line.slice(0, 40))}`,
    );
  }
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) {
    throw malformed(
      path,
      'must be "\u2014 <name> <base64 signature>" with one space between name and signature',
    );
  }
  const name = rest.slice(0, space);
  if (/\s/u.test(name) || name.includes('+')) {
    throw malformed(
      `${path}.name`,
      `must hold no white space and no "+", found ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  const bytes = decodeStd(rest.slice(space + 1), `${path}.signature`);
  if (bytes === undefined) throw malformed(`${path}.signature`, 'is not standard base64');
  if (bytes.length < 5) {
    throw malformed(
      `${path}.signature`,
      `must hold a 4-byte key hint and a signature, found ${bytes.length} bytes`,
    );
  }
  return Object.freeze({ name, keyHint: bytes.slice(0, 4), signature: bytes.slice(4) });
}

/**
 * Parses a checkpoint in signed-note form: the body (origin, tree size in decimal, base64 root hash, optional
 * extension lines), a blank line, then one or more signature lines `— <name> <base64(keyHint || signature)>`.
 * The text must be free of control characters other than newline, end in a newline, and hold 1 to 100
 * signatures; the root hash must be 32 bytes (SHA-256) and the tree size within int64. Nothing is verified.
 *
 * @throws ParseError `ERR_TLOG_CHECKPOINT` naming the bad part
 * @example
 * ```ts
 * const cp = parseCheckpoint(entry.inclusionProof.checkpoint.envelope);
 * console.log(cp.origin, cp.treeSize);
 * ```
 */
export function parseCheckpoint(envelope: string): Checkpoint {
  if (typeof envelope !== 'string') throw malformed('', `must be a string, found ${typeof envelope}`);
  if (envelope.length > MAX_LENGTH)
    throw malformed('', `must be at most ${MAX_LENGTH} characters, found ${envelope.length}`);
  if (hasBadChar(envelope)) throw malformed('', 'must hold no control characters other than newline');
  // The signature block never holds a blank line, so the last blank line is the separator (as in sumdb/note).
  const split = envelope.lastIndexOf('\n\n');
  if (split < 0) throw malformed('', 'has no blank line between the body and the signatures');
  const text = envelope.slice(0, split + 1);
  const sigBlock = envelope.slice(split + 2);
  if (sigBlock === '')
    throw malformed('signatures', 'are missing: a checkpoint needs at least one signature');
  if (!sigBlock.endsWith('\n')) throw malformed('signatures', 'must end with a newline');
  const sigLines = sigBlock.slice(0, -1).split('\n');
  if (sigLines.length > MAX_SIGNATURES) {
    throw malformed('signatures', `must be at most ${MAX_SIGNATURES}, found ${sigLines.length}`);
  }
  const signatures = sigLines.map(parseSignatureLine);

  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw malformed(
      '',
      `body must hold origin, tree size and root hash lines, found ${lines.length} line(s)`,
    );
  }
  const [origin = '', size = '', root = '', ...extensions] = lines;
  if (origin === '') throw malformed('origin', 'must not be empty');
  if (!DECIMAL.test(size)) {
    throw malformed(
      'treeSize',
      `must be a decimal integer without leading zeros, found ${JSON.stringify(size.slice(0, 40))}`,
    );
  }
  const treeSize = BigInt(size);
  if (treeSize > INT64_MAX) throw malformed('treeSize', `must be at most 2^63-1, found ${size}`);
  const rootHash = decodeStd(root, 'checkpoint.rootHash');
  if (rootHash === undefined) {
    throw malformed('rootHash', `must be standard base64, found ${JSON.stringify(root.slice(0, 60))}`);
  }
  if (rootHash.length !== 32)
    throw malformed('rootHash', `must be 32 bytes (SHA-256), found ${rootHash.length}`);
  extensions.forEach((line, i) => {
    if (line === '') throw malformed(`extensions[${i}]`, 'must not be an empty line');
  });
  return Object.freeze({
    origin,
    treeSize,
    rootHash,
    extensions: Object.freeze(extensions),
    text,
    signatures: Object.freeze(signatures),
  });
}

/** The names a log signs checkpoints with: the host of its base URL (with and without the port). */
function logNames(baseUrl: string): readonly string[] {
  try {
    const url = new URL(baseUrl);
    return url.host === url.hostname ? [url.host] : [url.host, url.hostname];
  } catch {
    return [];
  }
}

/**
 * Verifies that a checkpoint is signed by a trusted log: at least one signature line names the log (the host
 * of its `baseUrl`) with the log's key hint (the first 4 bytes of its log id), every such line verifies
 * with the log's key over the checkpoint text, and the origin is the log's name (Rekor v1 origins add
 * ` - <tree id>`). Signatures by others (witness cosignatures, unknown keys) are ignored.
 *
 * @throws VerificationError `ERR_TLOG_CHECKPOINT` when no signature of the log is found, one fails, or the origin is another log's
 * @example
 * ```ts
 * verifyCheckpoint({ checkpoint: parseCheckpoint(envelope), log });
 * ```
 */
export function verifyCheckpoint(options: {
  readonly checkpoint: Checkpoint;
  readonly log: TrustedLog;
}): void {
  const { checkpoint, log } = options;
  const names = logNames(log.baseUrl);
  const hint = log.logId.subarray(0, 4);
  const mine = checkpoint.signatures.filter((s) => names.includes(s.name) && bytesEqual(s.keyHint, hint));
  if (mine.length === 0) {
    throw new VerificationError(
      CODE,
      `the checkpoint holds no signature by log ${JSON.stringify(names[0] ?? log.baseUrl)} with key hint ${encodeHex(hint)}; found ${checkpoint.signatures
        .map((s) => `${JSON.stringify(s.name)} (${encodeHex(s.keyHint)})`)
        .join(', ')}`,
    );
  }
  const data = utf8(checkpoint.text);
  for (const s of mine) {
    if (!log.key.verifySync(data, s.signature)) {
      throw new VerificationError(
        CODE,
        `the checkpoint signature by ${JSON.stringify(s.name)} does not verify with the log's key`,
      );
    }
  }
  // Rekor v1 origins are "<host> - <tree id>" (one per shard); Rekor v2 and other c2sp logs use the name itself.
  const originIsLog = (name: string): boolean =>
    checkpoint.origin === name ||
    (checkpoint.origin.startsWith(`${name} - `) && /^[0-9]+$/.test(checkpoint.origin.slice(name.length + 3)));
  if (!mine.some((s) => originIsLog(s.name))) {
    const name = mine[0]?.name ?? '';
    throw new VerificationError(
      CODE,
      `the checkpoint origin must be ${JSON.stringify(name)} (or "${name} - <tree id>"), found ${JSON.stringify(checkpoint.origin.slice(0, 100))}`,
    );
  }
}
