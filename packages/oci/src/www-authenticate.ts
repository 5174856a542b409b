// Parsing `WWW-Authenticate` (RFC 9110 §11.6.1): one or more challenges, each a scheme with parameters or a token68.
import { ParseError } from '@vouch/core';

/** One challenge: the scheme (lowercase) and its parameters (names lowercase). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
  /** The token68 form (`Negotiate abc==`), when the challenge used it instead of parameters. */
  readonly token68?: string;
}

const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_CHAR = /[A-Za-z0-9._~+/-]/;
const MAX_HEADER_LENGTH = 16 * 1024;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
}

function fail(message: string): never {
  throw new ParseError('ERR_REGISTRY', [{ path: 'WWW-Authenticate', message }]);
}

function quoted(s: Scanner): string {
  s.pos++; // opening quote
  let out = '';
  for (;;) {
    const c = s.peek();
    if (c === '') fail(`quoted-string must end with '"', found the end of the header at offset ${s.pos}`);
    s.pos++;
    if (c === '"') return out;
    if (c === '\\') {
      const next = s.peek();
      if (next === '') fail(`quoted-string must not end with a lone "\\" (offset ${s.pos})`);
      out += next;
      s.pos++;
    } else out += c;
  }
}

/** Whether, at the scanner's position, an `name =` auth-param starts (as opposed to the next challenge's scheme). */
function atParam(s: Scanner): boolean {
  const save = s.pos;
  const name = s.token();
  s.skipSpace();
  const result = name !== '' && s.peek() === '=';
  s.pos = save;
  return result;
}

/**
 * Parses a `WWW-Authenticate` header value into its challenges, as RFC 9110 writes them: `scheme`, then a token68 or
 * comma-separated `name=value` parameters where a value is a token or a quoted-string (backslash escapes one
 * character). Several challenges may share one header, separated by commas. Scheme and parameter names are returned
 * lowercase; the first of a repeated parameter wins.
 *
 * @throws ParseError `ERR_REGISTRY` (path `WWW-Authenticate`) saying what was expected and where.
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a:pull"');
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.io/token', service: 'registry.io', scope: 'repository:a:pull' } }]
 * ```
 */
export function parseWwwAuthenticate(header: string): readonly AuthChallenge[] {
  if (typeof header !== 'string') fail(`must be a string, found ${typeof header}`);
  if (header.length > MAX_HEADER_LENGTH)
    fail(`must be at most ${MAX_HEADER_LENGTH} characters, found ${header.length}`);
  const s = new Scanner(header);
  const challenges: AuthChallenge[] = [];
  for (;;) {
    while (s.peek() === ' ' || s.peek() === '\t' || s.peek() === ',') s.pos++;
    if (s.peek() === '') break;
    const scheme = s.token();
    if (scheme === '')
      fail(`expected an auth scheme (a token) at offset ${s.pos}, found ${JSON.stringify(s.peek())}`);
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    let token68: string | undefined;
    s.skipSpace();
    if (s.peek() !== '' && s.peek() !== ',' && !atParam(s)) {
      const start = s.pos;
      while (TOKEN68_CHAR.test(s.peek())) s.pos++;
      while (s.peek() === '=') s.pos++;
      if (s.pos === start)
        fail(`expected a parameter or token68 at offset ${s.pos}, found ${JSON.stringify(s.peek())}`);
      token68 = header.slice(start, s.pos);
      s.skipSpace();
      if (s.peek() !== '' && s.peek() !== ',') fail(`expected "," after the token68 at offset ${s.pos}`);
    } else {
      while (atParam(s)) {
        const name = s.token().toLowerCase();
        s.skipSpace();
        s.pos++; // "="
        s.skipSpace();
        let value: string;
        if (s.peek() === '"') value = quoted(s);
        else {
          value = s.token();
          if (value === '')
            fail(
              `parameter ${JSON.stringify(name)} must have a token or quoted-string value (offset ${s.pos})`,
            );
        }
        if (!(name in params)) params[name] = value;
        s.skipSpace();
        if (s.peek() === '') break;
        if (s.peek() !== ',')
          fail(`expected "," between parameters at offset ${s.pos}, found ${JSON.stringify(s.peek())}`);
        while (s.peek() === ',' || s.peek() === ' ' || s.peek() === '\t') s.pos++;
      }
    }
    challenges.push(
      Object.freeze({
        scheme: scheme.toLowerCase(),
        params: Object.freeze({ ...params }),
        ...(token68 === undefined ? {} : { token68 }),
      }),
    );
  }
  return Object.freeze(challenges);
}
