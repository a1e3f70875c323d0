/**
 * How a 1022 ticket came in (`channel`). Zalo and the city's app are apps; e-mail lands in the
 * portal's web inbox.
 */
import type { ReportChannel } from '../../../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

export const HOTLINE_CHANNELS = defineVocabulary<ReportChannel>('1022 channel', {
  HOTLINE: ['CALL'],
  WEB: ['WEB', 'EMAIL'],
  APP: ['APP', 'ZALO'],
});
