// Mutations of strings for property tests: a few positional edits applied to a valid input.
import fc from 'fast-check';

/** One edit at a position: insert, delete or replace with `text`, flip a character's case, or duplicate a slice. */
export type TextEdit = readonly ['insert' | 'delete' | 'replace' | 'case' | 'dup', number, string];

/** One to three edits whose inserted and replacing text comes from `texts`. */
export function textEdits(texts: fc.Arbitrary<string>): fc.Arbitrary<TextEdit[]> {
  const edit = fc.tuple(fc.constantFrom('insert', 'delete', 'replace', 'case', 'dup'), fc.nat(), texts);
  return fc.array(edit, { minLength: 1, maxLength: 3 });
}

/** `s` with `edits` applied in order; positions wrap around the current length. */
export function applyTextEdits(s: string, edits: readonly TextEdit[]): string {
  let out = s;
  for (const [kind, at, text] of edits) {
    const i = at % (out.length + 1);
    if (kind === 'insert') out = out.slice(0, i) + text + out.slice(i);
    else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else if (kind === 'replace') out = out.slice(0, i) + text + out.slice(i + text.length);
    else if (kind === 'case') {
      const c = out.charAt(i);
      out = out.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + out.slice(i + 1);
    } else out = out.slice(0, i) + out.slice(i, i + 1 + ((text.length * 7) % 16)) + out.slice(i);
  }
  return out;
}
