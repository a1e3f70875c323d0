/**
 * The enum symbols of the canonical schemas (`schemas/kinds/<kind>/canonical.avsc`) as TypeScript types, for
 * the vocabularies and their users. A unit test checks they equal the schemas' symbols.
 */

export const GENDERS = ['MALE', 'FEMALE', 'OTHER'] as const;
export type Gender = (typeof GENDERS)[number];

export const DECLARATION_TYPES = ['DOMESTIC', 'ENTRY', 'WHOLE_POPULATION'] as const;
export type DeclarationType = (typeof DECLARATION_TYPES)[number];

export const DOCUMENT_TYPES = ['CCCD', 'CMND', 'PASSPORT', 'OTHER'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const SYMPTOMS = [
  'FEVER',
  'COUGH',
  'SHORTNESS_OF_BREATH',
  'SORE_THROAT',
  'LOSS_OF_TASTE_OR_SMELL',
  'FATIGUE',
  'MUSCLE_PAIN',
  'HEADACHE',
  'NAUSEA_OR_VOMITING',
  'DIARRHEA',
  'RUNNY_NOSE',
  'CHILLS',
  'OTHER',
] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const TRANSPORT_MODES = ['AIR', 'RAIL', 'COACH', 'WATERWAY', 'PERSONAL'] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

export const REPORT_CATEGORIES = [
  'SUSPECTED_CASE',
  'RETURNEE_FROM_OUTBREAK_AREA',
  'QUARANTINE_VIOLATION',
  'GATHERING',
  'SUPPORT_REQUEST',
  'OTHER',
] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export const REPORT_CHANNELS = ['APP', 'HOTLINE', 'WEB'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

export const CHECKPOINT_TYPES = ['ROAD', 'AIRPORT', 'SEAPORT', 'BORDER_GATE', 'RAIL_STATION'] as const;
export type CheckpointType = (typeof CHECKPOINT_TYPES)[number];

export const MANAGING_LEVELS = ['NATIONAL', 'PROVINCIAL', 'DISTRICT', 'COMMUNE'] as const;
export type ManagingLevel = (typeof MANAGING_LEVELS)[number];

export const CHECKPOINT_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];

export const DIRECTIONS = ['IN', 'OUT'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const IDENTIFICATION_METHODS = ['PERSONAL_QR', 'CHIP_ID_CARD', 'LOCATION_QR', 'MANUAL'] as const;
export type IdentificationMethod = (typeof IDENTIFICATION_METHODS)[number];

export const HEALTH_STATUSES = ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const PASSAGE_OUTCOMES = ['ALLOWED', 'TURNED_BACK', 'SENT_TO_TESTING', 'SENT_TO_QUARANTINE'] as const;
export type PassageOutcome = (typeof PASSAGE_OUTCOMES)[number];
