/**
 * checkpoint-ops — provincial checkpoint management: registry rows (CSV uploads with Vietnamese
 * headers, every cell as written) and gate reader reads (JSON batches: local times without offset,
 * CCCD chip, personal QR or typed details). Neither has record ids: a keyed content id stands in.
 */
import { CHECKPOINT_STATUS_LABELS, CHECKPOINT_STATUS_WHEN_EMPTY, CHECKPOINT_TYPE_LABELS, MANAGING_LEVEL_LABELS } from './vocabulary/registry-labels.ts';
import { GATE_DECISIONS, GATE_DIRECTIONS, GATE_HEALTH_COLOURS, GATE_METHODS, type GateMethod } from './vocabulary/gate-reader.ts';
import { DAY_MS } from '../../../services/source-vocabulary/local-time.ts';
import { formatPersonalQr } from '../../../services/source-vocabulary/personal-qr.ts';
import { CHECKPOINTS, statusAt, type RegisteredCheckpoint } from '../../../services/generator/checkpoints.ts';
import { documentTruth, personalQr } from '../../../services/generator/common-fields.ts';
import {
  HOUR_MS, MINUTE_MS, formatDate, formatDateMinutes, formatIsoLocalSeconds, localMidnight, truncate,
} from '../../../services/generator/local-time.ts';
import type { PairSpec, RenderContext, Rendered, SourceProblem } from '../../../services/generator/pair-spec.ts';
import { checkpointPassageTruth, passageFacts } from '../../../services/generator/passages.ts';
import type { Person } from '../../../services/generator/people.ts';
import { writePhone, type PhoneStyle } from '../../../services/generator/phones.ts';
import { futureDateIn, impossibleDateIn, malformedQrPayloadIn, unknownProvinceNameIn } from '../../../services/generator/problems.ts';
import { weighted, type Random } from '../../../services/generator/random.ts';
import { envelopeTruth, type CheckpointPassageTruth, type CheckpointTruth, type DocumentTruth } from '../../../services/generator/truth.ts';
import { typedProvinceName, typedUnitName } from '../../../services/generator/written-forms.ts';

/** How often checkpoint-ops's users write each phone style (free-text phone fields only). */
const PHONE_STYLE = weighted<PhoneStyle>({ local: 70, 'local-spaced': 15, 'local-dotted': 15 });

const SOURCE = 'checkpoint-ops';

/** A label from the registry vocabulary: usually the common word, sometimes another. */
function label(random: Random, words: readonly string[]): string {
  return random.chance(0.75) ? words[0]! : random.pick(words);
}

/** A coordinate cell: a dot or, in some provinces' spreadsheets, a comma as decimal separator. */
function coordinateCell(random: Random, value: number): string {
  return random.chance(0.3) ? String(value).replace('.', ',') : String(value);
}

function renderRow(context: RenderContext, checkpoint: RegisteredCheckpoint): Rendered<CheckpointTruth> {
  const { random } = context;
  const updatedAt = truncate(context.time, MINUTE_MS);
  const [year, month, day, hour] = checkpoint.validFrom;
  const validFromDay = Date.UTC(year, month - 1, day) / DAY_MS;
  const validFrom = localMidnight(validFromDay) + hour * HOUR_MS;
  const { status, closedOnDay } = statusAt(checkpoint, updatedAt);
  // A closed checkpoint's last day of operation is the day before it closed.
  const lastDay = closedOnDay === null ? null : closedOnDay - 1;
  const statusCell = status === CHECKPOINT_STATUS_WHEN_EMPTY && random.chance(0.2) ? null : label(random, CHECKPOINT_STATUS_LABELS.words(status));
  const record = {
    ma_chot: random.chance(0.05) ? checkpoint.code.toLowerCase() : checkpoint.code,
    ten_chot: checkpoint.name,
    loai_chot: label(random, CHECKPOINT_TYPE_LABELS.words(checkpoint.type)),
    tinh_tp: typedProvinceName(random, checkpoint.provinceCode),
    quan_huyen: checkpoint.district === null ? null : typedUnitName(random, checkpoint.district),
    tuyen_duong: checkpoint.road,
    ly_trinh: checkpoint.kmMarker,
    cap_quan_ly: label(random, MANAGING_LEVEL_LABELS.words(checkpoint.level)),
    don_vi_quan_ly: checkpoint.agency,
    trang_thai: statusCell,
    vi_do: coordinateCell(random, checkpoint.latitude),
    kinh_do: coordinateCell(random, checkpoint.longitude),
    ma_qr_dia_diem: checkpoint.locationQrId,
    hieu_luc_tu: hour === 0 && random.chance(0.8) ? formatDate(validFrom) : formatDateMinutes(validFrom),
    hieu_luc_den: lastDay === null ? null : formatDate(localMidnight(lastDay)),
    ngay_cap_nhat: formatDateMinutes(updatedAt),
    ghi_chu: checkpoint.note,
  };
  const truth: CheckpointTruth = {
    ...envelopeTruth('checkpoint', SOURCE, updatedAt, checkpoint.provinceCode),
    checkpoint_id: checkpoint.code,
    name: checkpoint.name,
    type: checkpoint.type,
    // The registry names districts; Truc has no register to code them with.
    district_code: null,
    road: checkpoint.road,
    km_marker: checkpoint.kmMarker,
    managing_level: checkpoint.level,
    managing_agency: checkpoint.agency,
    status,
    coordinates: { latitude: checkpoint.latitude, longitude: checkpoint.longitude },
    location_qr_id: checkpoint.locationQrId,
    valid_from: validFrom,
    // A date-only end means up to the following local midnight.
    valid_to: lastDay === null ? null : localMidnight(lastDay + 1),
  };
  return { record, truth };
}

const CHECKPOINT_OPS_CHECKPOINT: PairSpec = {
  source: SOURCE,
  kind: 'checkpoint',
  // Provinces upload their whole registry again and again: rows go round the registry.
  render: (context) => renderRow(context, CHECKPOINTS[Number(context.ids.next('registry-row', 6)) % CHECKPOINTS.length]!),
  problems: {
    'unknown-province': unknownProvinceNameIn('tinh_tp'),
    'impossible-date': impossibleDateIn('hieu_luc_tu'),
    'future-date': futureDateIn('ngay_cap_nhat', formatDateMinutes),
  },
};

function gateMethod(random: Random, person: Person, problem: SourceProblem | null): GateMethod {
  if (problem === 'malformed-qr-payload') return 'PERSONAL_QR';
  const roll = random.float();
  if (person.document?.type === 'CCCD') return roll < 0.5 ? 'CHIP_ID_CARD' : roll < 0.9 ? 'PERSONAL_QR' : 'MANUAL';
  return roll < 0.85 ? 'PERSONAL_QR' : 'MANUAL';
}

function renderPassage(context: RenderContext, problem: SourceProblem | null): Rendered<CheckpointPassageTruth> {
  const { random } = context;
  const person = random.pick(context.people.everyone);
  const checkpoint = random.pick(CHECKPOINTS);
  const facts = passageFacts(random, person, checkpoint, truncate(context.time, 1000));
  const method = gateMethod(random, person, problem);
  const cccd = person.document?.type === 'CCCD' ? person.document.number : null;
  const lane = random.between(1, 4);
  const directionWords = GATE_DIRECTIONS.words(facts.direction);
  let identified: { cccdNumber: string | null; fullName: string | null; qrContent: string | null; phone: string | null; document: DocumentTruth | null };
  if (method === 'CHIP_ID_CARD') {
    identified = { cccdNumber: cccd, fullName: person.fullName.toUpperCase(), qrContent: null, phone: null, document: documentTruth(person) };
  } else if (method === 'PERSONAL_QR') {
    identified = { cccdNumber: null, fullName: null, qrContent: formatPersonalQr(personalQr(random, person)), phone: null, document: documentTruth(person) };
  } else if (cccd !== null) {
    // Officers type the CCCD number when there is one, and sometimes the name.
    identified = { cccdNumber: cccd, fullName: random.chance(0.5) ? person.fullName : null, qrContent: null, phone: null, document: documentTruth(person) };
  } else {
    identified = { cccdNumber: null, fullName: random.chance(0.5) ? person.fullName : null, qrContent: null, phone: writePhone(person.phone, PHONE_STYLE.pick(random)), document: null };
  }
  // Plate cameras write plates without separators; officers type them with.
  const plate = facts.plate === null ? null : random.chance(0.4) ? facts.plate.replace(/[-.]/g, '') : facts.plate;
  const decision = random.chance(0.9) ? facts.outcome : null;
  const record = {
    checkpointCode: checkpoint.code,
    readerId: `${checkpoint.code}-L${lane}-${directionWords[0]}`,
    lane: random.chance(0.9) ? `L${lane}` : null,
    direction: random.chance(0.9) ? directionWords[0] : directionWords[1],
    readTime: formatIsoLocalSeconds(facts.occurredAt),
    method: GATE_METHODS.word(method),
    cccdNumber: identified.cccdNumber,
    fullName: identified.fullName,
    qrContent: identified.qrContent,
    phone: identified.phone,
    plate,
    healthColor: facts.health === 'UNKNOWN' ? null : GATE_HEALTH_COLOURS.word(facts.health),
    decision: decision === null ? null : GATE_DECISIONS.word(decision),
  };
  const truth = checkpointPassageTruth(SOURCE, facts, { document: identified.document, plate, direction: facts.direction, method, outcome: decision });
  return { record, truth };
}

const CHECKPOINT_OPS_PASSAGE: PairSpec = {
  source: SOURCE,
  kind: 'checkpoint-passage',
  render: renderPassage,
  problems: {
    'impossible-date': impossibleDateIn('readTime'),
    'future-date': futureDateIn('readTime', formatIsoLocalSeconds),
    'malformed-qr-payload': malformedQrPayloadIn('qrContent'),
  },
};

/** The renderers of checkpoint-ops, one per kind it publishes (the generator checks them against source.json). */
export const PAIR_SPECS: readonly PairSpec[] = [CHECKPOINT_OPS_CHECKPOINT, CHECKPOINT_OPS_PASSAGE];

/** Fields checkpoint-ops's users or integrators add by mistake (the generator's unknown-field defect). */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['stt', '12'], ['temperature', '36.8']];
