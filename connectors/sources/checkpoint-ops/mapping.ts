/**
 * checkpoint-ops — provincial checkpoint management: registry rows (CSV cells as written: labels
 * in Vietnamese, the province and district as names, decimal commas, local dates dd/MM/yyyy with
 * or without HH:mm) and gate reader reads (local times yyyy-MM-dd HH:mm:ss, the person from the
 * CCCD chip, the personal QR, or details an officer typed). Neither has record ids of its own.
 */
import {
  CHECKPOINT_STATUS_LABELS, CHECKPOINT_STATUS_WHEN_EMPTY, CHECKPOINT_TYPE_LABELS, MANAGING_LEVEL_LABELS,
} from './vocabulary/registry-labels.ts';
import { GATE_DECISIONS, GATE_DIRECTIONS, GATE_HEALTH_COLOURS, GATE_METHODS } from './vocabulary/gate-reader.ts';
import type { CheckpointPassageRecord } from '../../../schemas/kinds/checkpoint-passage/record.ts';
import type { CheckpointRecord } from '../../../schemas/kinds/checkpoint/record.ts';
import type { KeyInput } from '../../../services/normalizer/mapping/contract.ts';
import { envelope, keyedBy, keyedByPerson, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { coordinatesOfCells } from '../../../services/normalizer/mapping/rules/coordinates.ts';
import { optionalCode, requiredCode } from '../../../services/normalizer/mapping/rules/enums.ts';
import { documentFromNumber, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { DAY_MS } from '../../../services/source-vocabulary/local-time.ts';
import { localFormat, localInstant, localInstantIn, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { VIETNAMESE } from '../../../services/normalizer/mapping/rules/nationality.ts';
import { identifiedByQr } from '../../../services/normalizer/mapping/rules/personal-qr.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { requiredProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text } from '../../../services/normalizer/mapping/rules/text.ts';
import { vehicleCode } from '../../../services/normalizer/mapping/rules/vehicle-code.ts';

/** raw/checkpoint.avsc: every cell is text. */
interface RegistryRow {
  ma_chot: string;
  ten_chot: string;
  loai_chot: string;
  tinh_tp: string;
  quan_huyen?: string | null;
  tuyen_duong?: string | null;
  ly_trinh?: string | null;
  cap_quan_ly?: string | null;
  don_vi_quan_ly?: string | null;
  trang_thai?: string | null;
  vi_do?: string | null;
  kinh_do?: string | null;
  ma_qr_dia_diem?: string | null;
  hieu_luc_tu?: string | null;
  hieu_luc_den?: string | null;
  ngay_cap_nhat?: string | null;
  ghi_chu?: string | null;
}

/** raw/checkpoint-passage.avsc */
interface GateRead {
  checkpointCode: string;
  readerId: string;
  lane?: string | null;
  direction: string;
  readTime: string;
  method: string;
  cccdNumber?: string | null;
  fullName?: string | null;
  qrContent?: string | null;
  phone?: string | null;
  plate?: string | null;
  healthColor?: string | null;
  decision?: string | null;
}

const UPDATED_AT = localFormat('dd/MM/yyyy HH:mm');
const VALIDITY_FORMATS = [localFormat('dd/MM/yyyy HH:mm'), localFormat('dd/MM/yyyy')];
const READ_TIME = localFormat('yyyy-MM-dd HH:mm:ss');

/** The registry's checkpoint code as every record names the checkpoint: trimmed, upper case ("bd-ql13-01" is BD-QL13-01). */
function checkpointId(code: string): string {
  return code.trim().toUpperCase();
}

function registryKey(input: KeyInput): string {
  return checkpointId((input.value as Pick<RegistryRow, 'ma_chot'>).ma_chot);
}

/** The start of operation; a date alone is the local midnight starting it. */
function validFrom(written: string | null): number | null {
  return written === null ? null : localInstantIn(written, VALIDITY_FORMATS, 'hieu_luc_tu').at;
}

/** The end of operation, exclusive; a date alone is the last day of operation, so it ends at the following local midnight. */
function validTo(written: string | null): number | null {
  if (written === null) return null;
  const end = localInstantIn(written, VALIDITY_FORMATS, 'hieu_luc_den');
  return end.hasTime ? end.at : end.at + DAY_MS;
}

const CHECKPOINT = keyedBy<RegistryRow, CheckpointRecord>(registryKey, ({ input, value, context, flags }) => {
  const updated = text(value.ngay_cap_nhat);
  // Rows without a change time changed when they were uploaded.
  const occurredAt = updated === null ? input.receivedAt : notInFuture(localInstant(updated, UPDATED_AT, 'ngay_cap_nhat').at, context.now, 'ngay_cap_nhat');
  const provinceCode = requiredProvince(value.tinh_tp, 'tinh_tp');
  const from = validFrom(text(value.hieu_luc_tu));
  const to = validTo(text(value.hieu_luc_den));
  if (from !== null && to !== null && to <= from) flags.add(QUALITY_FLAGS.validityReversed);
  const status = text(value.trang_thai);
  return {
    ...envelope('checkpoint', input, occurredAt, provinceCode, null),
    checkpoint_id: checkpointId(value.ma_chot),
    name: value.ten_chot.trim(),
    type: requiredCode(CHECKPOINT_TYPE_LABELS, value.loai_chot, 'loai_chot'),
    // The registry names districts; Truc has no register to code them with.
    district_code: null,
    road: text(value.tuyen_duong),
    km_marker: text(value.ly_trinh),
    managing_level: optionalCode(MANAGING_LEVEL_LABELS, value.cap_quan_ly, QUALITY_FLAGS.managingLevelUnknown, flags),
    managing_agency: text(value.don_vi_quan_ly),
    status: status === null ? CHECKPOINT_STATUS_WHEN_EMPTY : requiredCode(CHECKPOINT_STATUS_LABELS, status, 'trang_thai'),
    coordinates: coordinatesOfCells(value.vi_do, value.kinh_do, flags),
    location_qr_id: text(value.ma_qr_dia_diem),
    valid_from: from,
    valid_to: to,
  };
});

/** A QR read identifies by the personal QR; a chip read or a typed record by the CCCD number, else the typed phone. */
function identifyRead(value: GateRead, flags: QualityFlags): Identified {
  if (requiredCode(GATE_METHODS, value.method, 'method') === 'PERSONAL_QR') return identifiedByQr(value.qrContent, 'qrContent', flags);
  // Gate readers read, and officers type, Vietnamese cards only.
  const document = documentFromNumber(value.cccdNumber, VIETNAMESE);
  return { document, phone: document === null ? phoneE164(value.phone, flags) : null };
}

const CHECKPOINT_PASSAGE = keyedByPerson<GateRead, CheckpointPassageRecord>(identifyRead, ({ input, value, context, flags }, declarant) => {
  const passedAt = notInFuture(localInstant(value.readTime, READ_TIME, 'readTime').at, context.now, 'readTime');
  return {
    // The checkpoint's province, with its name and type, comes from the registry (the engine copies them).
    ...envelope('checkpoint-passage', input, passedAt, null, declarant.personKey),
    checkpoint_id: checkpointId(value.checkpointCode),
    checkpoint_name: null,
    checkpoint_type: null,
    checkpoint_province_code: null,
    document: declarant.identified.document,
    vehicle_plate: vehicleCode(value.plate),
    direction: optionalCode(GATE_DIRECTIONS, value.direction, QUALITY_FLAGS.directionUnknown, flags),
    passed_at: passedAt,
    identification_method: requiredCode(GATE_METHODS, value.method, 'method'),
    // No colour means none was looked up or seen.
    health_status: optionalCode(GATE_HEALTH_COLOURS, value.healthColor, QUALITY_FLAGS.healthStatusUnknown, flags) ?? 'UNKNOWN',
    outcome: optionalCode(GATE_DECISIONS, value.decision, QUALITY_FLAGS.outcomeUnknown, flags),
  };
});

export const MAPPINGS: SourceMappings = {
  checkpoint: CHECKPOINT,
  'checkpoint-passage': CHECKPOINT_PASSAGE,
};
