/**
 * The PC-Covid personal QR payload `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT` (PC-Covid scans,
 * gate readers), read with `parsePersonalQr` (shared with the generator). Its identity type says
 * what the number is: a document, or with SDT the person's phone (the person has no document).
 * A payload that cannot be read identifies nobody: MalformedQrPayload.
 */
import { parsePersonalQr } from '../../../source-vocabulary/personal-qr.ts';
import { documentOfType, type Identified } from './identity.ts';
import { phoneE164 } from './phone.ts';
import { ERROR_CLASSES, MappingProblem } from './problem.ts';
import type { QualityFlags } from './quality-flags.ts';

/** Whom a personal QR payload identifies. */
export function identifiedByQr(payload: unknown, path: string, flags: QualityFlags): Identified {
  const qr = typeof payload === 'string' ? parsePersonalQr(payload) : null;
  if (qr === null) throw new MappingProblem(ERROR_CLASSES.malformedQrPayload, path, 'not a personal QR payload SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT');
  if (qr.identityType === 'PHONE') return { document: null, phone: phoneE164(qr.documentNumber, flags) };
  return { document: documentOfType(qr.identityType, qr.documentNumber), phone: null };
}
