// WWW-Authenticate parsing: the challenge forms registries send, quoted-string rules, and hostile input.
import { isVouchError } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../src/www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('reads a distribution Bearer challenge', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    );
    expect(c).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/alpine:pull',
      },
    });
  });

  it('reads Basic, token values, escapes, spaces, case and several challenges in one header', () => {
    const list = parseWwwAuthenticate(
      'Basic realm="a \\"q\\" \\\\ b", charset=UTF-8 ,  BEARER Realm = "x,y" , error="insufficient_scope"',
    );
    expect(list.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(list[0]?.params).toEqual({ realm: 'a "q" \\ b', charset: 'UTF-8' });
    expect(list[1]?.params).toEqual({ realm: 'x,y', error: 'insufficient_scope' });
  });

  it('reads a token68 challenge, a bare scheme, and keeps the first of a repeated parameter', () => {
    expect(parseWwwAuthenticate('Negotiate abc+/==, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/==' },
      { scheme: 'basic', params: {} },
    ]);
    expect(parseWwwAuthenticate('Bearer realm="a",realm="b"')[0]?.params.realm).toBe('a');
    expect(parseWwwAuthenticate('')).toEqual([]);
  });

  it.each([
    ['Bearer realm="unterminated', 'quoted-string must end'],
    ['Bearer realm="x\\', 'lone'],
    ['Bearer realm=', 'must have a token or quoted-string value'],
    ['Bearer realm="a" service="b"', 'expected ","'],
    ['"Bearer"', 'expected an auth scheme'],
  ])('refuses %j with ERR_REGISTRY naming the header', (header, message) => {
    let error: unknown;
    try {
      parseWwwAuthenticate(header);
    } catch (e) {
      error = e;
    }
    expect(isVouchError(error) && error.code).toBe('ERR_REGISTRY');
    expect(String((error as Error).message)).toContain('WWW-Authenticate');
    expect(String((error as Error).message)).toContain(message);
  });

  it('ends every random or mutated header in challenges or a VouchError', () => {
    const valid =
      'Bearer realm="https://r.io/token",service="r.io",scope="repository:a/b:pull,push", Basic realm="x"';
    const mutated = fc
      .tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 4 }))
      .map(([a, b, s]) => valid.slice(0, Math.min(a, b)) + s + valid.slice(Math.max(a, b)));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), mutated), (header) => {
        try {
          const list = parseWwwAuthenticate(header);
          for (const c of list) expect(c.scheme).toMatch(/^[!#$%&'*+.^_`|~0-9a-z-]+$/);
        } catch (e) {
          if (!isVouchError(e)) throw e;
          expect(e.code).toBe('ERR_REGISTRY');
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
