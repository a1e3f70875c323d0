/**
 * Codes of PC-Covid checkpoint scans (pccovid `checkpoint-passage`): scan type, direction,
 * health colour and the officer's recorded result.
 */
import type { Direction, HealthStatus, IdentificationMethod, PassageOutcome } from '../../../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

export type ScanMethod = Extract<IdentificationMethod, 'PERSONAL_QR' | 'LOCATION_QR'>;

/** PERSONAL: the officer's device scanned the person's QR; LOCATION: the person's app scanned the checkpoint's. */
export const PCCOVID_SCAN_TYPES = defineVocabulary<ScanMethod>('PC-Covid scanType', {
  PERSONAL_QR: ['PERSONAL'],
  LOCATION_QR: ['LOCATION'],
});

/** An absent direction was not chosen (canonical null). */
export const PCCOVID_DIRECTIONS = defineVocabulary<Direction>('PC-Covid direction', {
  IN: ['IN'],
  OUT: ['OUT'],
});

/** gray (no status) and an absent colour (old app versions) are both UNKNOWN. */
export const PCCOVID_HEALTH_STATUSES = defineVocabulary<HealthStatus>('PC-Covid healthStatus', {
  GREEN: ['green'],
  YELLOW: ['yellow'],
  RED: ['red'],
  UNKNOWN: ['gray'],
});

/** An absent result means none was recorded (canonical outcome null). */
export const PCCOVID_SCAN_RESULTS = defineVocabulary<PassageOutcome>('PC-Covid scan result', {
  ALLOWED: ['ALLOW'],
  TURNED_BACK: ['RETURN'],
  SENT_TO_TESTING: ['TEST'],
  SENT_TO_QUARANTINE: ['QUARANTINE'],
});
