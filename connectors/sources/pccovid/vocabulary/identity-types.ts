/**
 * Kinds of identity ("loại định danh") as the PC-Covid personal QR and PC-Covid's `identityType`
 * write them. SDT means the person has no document and the phone stands in: the canonical record
 * then has no document and the person key comes from the phone.
 */
import type { DocumentType } from '../../../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

/** A canonical document type, or PHONE for "no document, known by phone". */
export type QrIdentity = Exclude<DocumentType, 'OTHER'> | 'PHONE';

export const QR_IDENTITY_TYPES = defineVocabulary<QrIdentity>('personal QR identity type', {
  CCCD: ['CCCD'],
  CMND: ['CMND'],
  PASSPORT: ['HC'],
  PHONE: ['SDT'],
});
