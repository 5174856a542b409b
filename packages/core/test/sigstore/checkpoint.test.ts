// Checkpoints (signed notes): parsing strictness, the log-signature check, and fuzzing the parser.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVouchError, ParseError, VerificationError } from '../../src/errors.js';
import { PublicKey } from '../../src/keys/index.js';
import { parseCheckpoint, verifyCheckpoint } from '../../src/sigstore/checkpoint.js';
import type { TrustedLog } from '../../src/sigstore/types.js';

const ROOT = Buffer.alloc(32, 7).toString('base64');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
  return 'ok';
}

/** A log with its signing function, as Rekor v1 (ECDSA, id = SHA-256(SPKI)) or v2 (Ed25519, c2sp key id) sets it up. */
function makeLog(kind: 'ecdsa' | 'ed25519', host: string, baseUrl = `https://${host}`) {
  const pair =
    kind === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const logId =
    kind === 'ecdsa'
      ? createHash('sha256').update(spki).digest()
      : createHash('sha256')
          .update(Buffer.concat([Buffer.from(`${host}\n`), Buffer.from([1]), spki.subarray(12)]))
          .digest();
  const log: TrustedLog = {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    logId: new Uint8Array(logId),
    logIdHex: logId.toString('hex'),
    key: new PublicKey(pair.publicKey),
    validFor: { start: new Date('2020-01-01T00:00:00Z') },
  };
  const signLine = (text: string, name = host, hint: Uint8Array = logId.subarray(0, 4)): string => {
    const sig = sign(kind === 'ecdsa' ? 'sha256' : null, Buffer.from(text), pair.privateKey);
    return `\u2014 ${name} ${Buffer.concat([hint, sig]).toString('base64')}\n`;
  };
  return { log, signLine };
}

const witnessLine = `\u2014 witness.example ${Buffer.alloc(76, 3).toString('base64')}\n`;

describe('parseCheckpoint', () => {
  it('parses a Rekor v1 checkpoint with an extension line', () => {
    const text = `rekor.sigstore.dev - 2605736670972794746\n23083062\n${ROOT}\nTimestamp: 1689177396617352539\n`;
    const cp = parseCheckpoint(
      `${text}\n\u2014 rekor.sigstore.dev ${Buffer.alloc(70, 1).toString('base64')}\n`,
    );
    expect(cp.origin).toBe('rekor.sigstore.dev - 2605736670972794746');
    expect(cp.treeSize).toBe(23083062n);
    expect(cp.rootHash).toEqual(new Uint8Array(32).fill(7));
    expect(cp.extensions).toEqual(['Timestamp: 1689177396617352539']);
    expect(cp.text).toBe(text);
    expect(cp.signatures).toHaveLength(1);
    expect(cp.signatures[0]?.keyHint).toEqual(new Uint8Array(4).fill(1));
    expect(Object.isFrozen(cp)).toBe(true);
  });

  it('keeps every signature line, in order', () => {
    const cp = parseCheckpoint(
      `log.example\n1\n${ROOT}\n\n${witnessLine}\u2014 log.example ${Buffer.alloc(68, 2).toString('base64')}\n`,
    );
    expect(cp.signatures.map((s) => s.name)).toEqual(['witness.example', 'log.example']);
  });

  const valid = `log.example\n736\n${ROOT}\n\n\u2014 log.example ${Buffer.alloc(68, 2).toString('base64')}\n`;
  const malformed: Record<string, string> = {
    'no blank line': valid.replace('\n\n', '\n'),
    'no signature': `log.example\n736\n${ROOT}\n\n`,
    'no origin': valid.replace('log.example\n736', '736'),
    'no size': valid.replace('736\n', ''),
    'no root hash': valid.replace(`${ROOT}\n`, ''),
    'empty origin': valid.replace('log.example\n736', '\n736'),
    'size with a sign': valid.replace('736', '+736'),
    'size with leading zero': valid.replace('736', '0736'),
    'size above int64': valid.replace('736', '9223372036854775808'),
    'root hash of 31 bytes': valid.replace(ROOT, Buffer.alloc(31).toString('base64')),
    'root hash in url-safe base64': valid.replace(ROOT, Buffer.alloc(32, 0xfb).toString('base64url')),
    'root hash not base64': valid.replace(ROOT, 'not base64!'),
    'empty extension line': valid.replace(`${ROOT}\n`, `${ROOT}\n\nx\n`),
    'no final newline': valid.slice(0, -1),
    'signature line without em dash': valid.replace('\u2014 ', '- '),
    'name with a plus': valid.replace('\u2014 log.example', '\u2014 log+example'),
    'signature of 4 bytes': valid.replace(Buffer.alloc(68, 2).toString('base64'), 'AAAAAA=='),
    'two spaces': valid.replace('\u2014 log.example ', '\u2014 log.example  '),
    'control character': valid.replace('log.example\n736', 'log.exa\tmple\n736'),
    'carriage return': valid.replace('\n736', '\r\n736'),
    'lone surrogate': valid.replace('log.example\n736', 'log\ud800\n736'),
    'too many signatures': `log.example\n736\n${ROOT}\n\n${witnessLine.repeat(101)}`,
  };
  for (const [what, text] of Object.entries(malformed)) {
    it(`refuses a checkpoint with ${what}`, () => {
      expect(() => parseCheckpoint(text)).toThrow(ParseError);
      expect(codeOf(() => parseCheckpoint(text))).toBe('ERR_TLOG_CHECKPOINT');
    });
  }

  it('only ever returns a checkpoint or throws a VouchError, on random text (fast-check)', () => {
    const alphabet = fc.constantFrom(
      '\n',
      '\u2014',
      ' ',
      'A',
      '=',
      '+',
      '/',
      '0',
      '1',
      '9',
      '-',
      'a',
      '\r',
      '\u0000',
      '\ud800',
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: alphabet, maxLength: 200 })),
        (text) => {
          try {
            const cp = parseCheckpoint(text);
            expect(cp.signatures.length).toBeGreaterThan(0);
          } catch (e) {
            expect(isVouchError(e)).toBe(true);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('only ever returns a checkpoint or throws a VouchError, on mutated valid checkpoints (fast-check)', () => {
    const base = `rekor.sigstore.dev - 2605736670972794746\n23083062\n${ROOT}\nTimestamp: 1689177396617352539\n\n\u2014 rekor.sigstore.dev ${Buffer.alloc(70, 1).toString('base64')}\n${witnessLine}`;
    const mutation = fc.record({
      at: fc.nat({ max: base.length }),
      del: fc.nat({ max: 4 }),
      insert: fc.oneof(
        fc.string({ maxLength: 4 }),
        fc.constantFrom('\n', '\n\n', '\u2014 ', ' ', '0', '=', '-1', '99999999999999999999'),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        let text = base;
        for (const m of mutations) {
          const at = Math.min(m.at, text.length);
          text = text.slice(0, at) + m.insert + text.slice(at + m.del);
        }
        try {
          const cp = parseCheckpoint(text);
          expect(cp.treeSize).toBeGreaterThanOrEqual(0n);
          expect(cp.rootHash.length).toBe(32);
        } catch (e) {
          expect(isVouchError(e)).toBe(true);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('verifyCheckpoint', () => {
  for (const kind of ['ecdsa', 'ed25519'] as const) {
    describe(`with a ${kind} log`, () => {
      const host = 'log.example.dev';
      const { log, signLine } = makeLog(kind, host);
      const text =
        kind === 'ecdsa' ? `${host} - 1193050959916656506\n10\n${ROOT}\n` : `${host}\n10\n${ROOT}\n`;
      const check = (envelope: string, trusted: TrustedLog = log) =>
        codeOf(() => verifyCheckpoint({ checkpoint: parseCheckpoint(envelope), log: trusted }));

      it('accepts the log signature, before or after signatures by others', () => {
        expect(check(`${text}\n${signLine(text)}`)).toBe('ok');
        expect(check(`${text}\n${witnessLine}${signLine(text)}`)).toBe('ok');
        expect(check(`${text}\n${signLine(text)}${witnessLine}`)).toBe('ok');
        // A second key of the same name (an unknown hint) is ignored.
        expect(check(`${text}\n${signLine(text)}${signLine(text, host, new Uint8Array([9, 9, 9, 9]))}`)).toBe(
          'ok',
        );
      });

      it('refuses a checkpoint with no signature by the log', () => {
        expect(check(`${text}\n${witnessLine}`)).toBe('ERR_TLOG_CHECKPOINT');
        expect(check(`${text}\n${signLine(text, 'other.example.dev')}`)).toBe('ERR_TLOG_CHECKPOINT');
        expect(check(`${text}\n${signLine(text, host, new Uint8Array([0, 0, 0, 0]))}`)).toBe(
          'ERR_TLOG_CHECKPOINT',
        );
        const other = makeLog(kind, host);
        expect(check(`${text}\n${signLine(text)}`, other.log)).toBe('ERR_TLOG_CHECKPOINT');
      });

      it('refuses a bad signature by the log, even beside a good one', () => {
        const line = signLine(text);
        const bad = line.replace(/ (\S+)\n$/, (_, b64: string) => {
          const bytes = Buffer.from(b64, 'base64');
          bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
          return ` ${bytes.toString('base64')}\n`;
        });
        expect(check(`${text}\n${bad}`)).toBe('ERR_TLOG_CHECKPOINT');
        expect(check(`${text}\n${line}${bad}`)).toBe('ERR_TLOG_CHECKPOINT');
        const changed = text.replace('\n10\n', '\n11\n');
        expect(check(`${changed}\n${line}`)).toBe('ERR_TLOG_CHECKPOINT');
      });

      it("refuses an origin that is not the log's name", () => {
        for (const origin of [`${host}.evil`, `${host} - `, `${host} - 12a`, `evil.${host}`]) {
          const t = `${origin}\n10\n${ROOT}\n`;
          expect(check(`${t}\n${signLine(t)}`)).toBe('ERR_TLOG_CHECKPOINT');
        }
      });
    });
  }

  it('names a log with a port by its host', () => {
    const { log, signLine } = makeLog('ecdsa', 'localhost:8000', 'http://localhost:8000');
    const text = `localhost:8000 - 124190645164477\n1\n${ROOT}\n`;
    expect(
      codeOf(() => verifyCheckpoint({ checkpoint: parseCheckpoint(`${text}\n${signLine(text)}`), log })),
    ).toBe('ok');
  });

  it('throws VerificationError (not ParseError) for a signature failure', () => {
    const { log, signLine } = makeLog('ed25519', 'log.example.dev');
    const text = `log.example.dev\n10\n${ROOT}\n`;
    const other = makeLog('ed25519', 'log.example.dev');
    expect(() =>
      verifyCheckpoint({ checkpoint: parseCheckpoint(`${text}\n${other.signLine(text)}`), log }),
    ).toThrow(VerificationError);
    expect(signLine(text)).toContain('log.example.dev');
  });
});
