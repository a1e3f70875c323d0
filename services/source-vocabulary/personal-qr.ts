/**
 * The PC-Covid personal QR payload, `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT` (PC-Covid
 * checkpoint scans `qrPayload`, gate readers `qrContent`): document number (the phone for SDT),
 * full name, date of birth dd/MM/yyyy, identity type code, PC-Covid id, extension (often empty).
 */
import { QR_IDENTITY_TYPES, type QrIdentity } from '../../connectors/sources/pccovid/vocabulary/identity-types.ts';

export const PERSONAL_QR_SEPARATOR = '|';

export interface PersonalQr {
  documentNumber: string;
  fullName: string;
  /** dd/MM/yyyy as written; only its shape is checked here. */
  dateOfBirth: string;
  identityType: QrIdentity;
  qid: string;
  ext: string;
}

const DATE_SHAPE = /^\d{2}\/\d{2}\/\d{4}$/;

export function formatPersonalQr(qr: PersonalQr): string {
  const type = QR_IDENTITY_TYPES.word(qr.identityType);
  return [qr.documentNumber, qr.fullName, qr.dateOfBirth, type, qr.qid, qr.ext].join(PERSONAL_QR_SEPARATOR);
}

/**
 * The payload's parts, or null when it is malformed: not six `|`-separated parts, an empty number,
 * name or QID, a date of birth not shaped dd/MM/yyyy, or an identity type code it does not know.
 */
export function parsePersonalQr(payload: string): PersonalQr | null {
  const parts = payload.split(PERSONAL_QR_SEPARATOR);
  if (parts.length !== 6) return null;
  const [documentNumber, fullName, dateOfBirth, typeCode, qid, ext] = parts.map((part) => part.trim()) as [string, string, string, string, string, string];
  const identityType = QR_IDENTITY_TYPES.canonical(typeCode);
  if (!documentNumber || !fullName || !qid || !DATE_SHAPE.test(dateOfBirth) || identityType === undefined) return null;
  return { documentNumber, fullName, dateOfBirth, identityType, qid, ext };
}
