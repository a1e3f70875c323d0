/**
 * Free-text fields as canonical records carry them: as the source wrote them, trimmed, and null
 * when nothing was written (raw records decoded from Avro hold null, records posted as JSON may
 * leave the field out).
 */

export function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The texts of a list field, without empty entries. */
export function texts(values: unknown): string[] {
  if (!Array.isArray(values)) return [];
  const result: string[] = [];
  for (const value of values) {
    const entry = text(value);
    if (entry !== null) result.push(entry);
  }
  return result;
}

/** The entries of a comma-separated text ("Sốt, Ho, Mất vị giác"), trimmed, without empty ones. */
export function commaSeparated(value: unknown): string[] {
  const whole = text(value);
  return whole === null ? [] : texts(whole.split(','));
}
