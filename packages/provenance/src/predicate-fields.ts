// Field readers shared by the predicate parsers (SLSA Provenance v0.2 and v1, VSA).

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether `text` is an RFC 3339 date-time on a real calendar date, from year `minYear` (a protobuf Timestamp
 * starts at 0001, Go's `time.Time` at 0000) and with at most `maxFractionDigits` fractional second digits.
 *
 * @example
 * ```ts
 * isRfc3339('2024-02-29T12:00:00Z', { minYear: 1 }); // true
 * isRfc3339('2023-02-29T12:00:00Z', { minYear: 1 }); // false
 * ```
 */
export function isRfc3339(
  text: string,
  options: { readonly minYear: number; readonly maxFractionDigits?: number },
): boolean {
  const m = RFC3339.exec(text);
  if (m === null) return false;
  const fraction = m[7] ?? '';
  if (options.maxFractionDigits !== undefined && fraction.length - 1 > options.maxFractionDigits)
    return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const [offH = 0, offM = 0] = [m[8], m[9]].map((s) => (s === undefined ? 0 : Number(s)));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    year >= options.minYear &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= days &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offH <= 23 &&
    offM <= 59
  );
}
