/**
 * Phones to E.164 (+84…) from any way people write Vietnamese mobiles (0…, 84…, +84…, spaces, dots,
 * dashes): `mobileToE164`, shared with the generator. A written phone that is no Vietnamese mobile
 * becomes null, flagged, rather than failing the record: the rest of it is still worth having.
 */
import { mobileToE164 } from '../../../source-vocabulary/phone-numbers.ts';
import { text } from './text.ts';
import { QUALITY_FLAGS, type QualityFlags } from './quality-flags.ts';

/** The E.164 form of a written phone; null when none was written, or (flagged PHONE_INVALID) when it is no mobile. */
export function phoneE164(written: unknown, flags: QualityFlags): string | null {
  const phone = text(written);
  if (phone === null) return null;
  const e164 = mobileToE164(phone);
  if (e164 === null) flags.add(QUALITY_FLAGS.phoneInvalid);
  return e164;
}
