/**
 * Flight numbers, train numbers and plates as canonical records carry them: upper case, without
 * spaces around '-' and '.' ("vn 213" stays "VN 213", "51b - 123.45" becomes "51B-123.45"). Plates
 * written without separators (plate cameras) are kept so: which separators a plate has is not
 * knowable from the digits alone.
 */
import { text } from './text.ts';

const SPACED_SEPARATOR = /\s*([-.])\s*/g;

export function vehicleCode(written: unknown): string | null {
  const code = text(written);
  return code === null ? null : code.toUpperCase().replace(SPACED_SEPARATOR, '$1');
}
