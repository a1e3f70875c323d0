/**
 * Codes of the checkpoint gate readers (checkpoint-ops `checkpoint-passage`): direction as the
 * reader is configured (IN/OUT, some readers vao/ra), read method, health colour and gate decision.
 */
import type { Direction, HealthStatus, IdentificationMethod, PassageOutcome } from '../../../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

export const GATE_DIRECTIONS = defineVocabulary<Direction>('gate reader direction', {
  IN: ['IN', 'vao'],
  OUT: ['OUT', 'ra'],
});

export type GateMethod = Extract<IdentificationMethod, 'CHIP_ID_CARD' | 'PERSONAL_QR' | 'MANUAL'>;

export const GATE_METHODS = defineVocabulary<GateMethod>('gate reader method', {
  CHIP_ID_CARD: ['CHIP'],
  PERSONAL_QR: ['QR'],
  MANUAL: ['MANUAL'],
});

/** An absent colour is UNKNOWN. */
export const GATE_HEALTH_COLOURS = defineVocabulary<Exclude<HealthStatus, 'UNKNOWN'>>('gate reader health colour', {
  GREEN: ['XANH'],
  YELLOW: ['VANG'],
  RED: ['DO'],
});

/** An absent decision means the reader only recorded the passage (canonical outcome null). */
export const GATE_DECISIONS = defineVocabulary<PassageOutcome>('gate reader decision', {
  ALLOWED: ['PASS'],
  TURNED_BACK: ['REJECT'],
  SENT_TO_TESTING: ['TEST'],
  SENT_TO_QUARANTINE: ['QUARANTINE'],
});
