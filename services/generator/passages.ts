/**
 * What happens when a person passes a checkpoint: the direction, the health colour shown, and the
 * decision (most people pass; yellow and red statuses are sent to testing or quarantine).
 */
import type { Direction, HealthStatus, IdentificationMethod, PassageOutcome } from '../../schemas/kinds/canonical-values.ts';
import { isOnRoad, type RegisteredCheckpoint } from './checkpoints.ts';
import { motorbikePlateIn, plateIn } from './geography.ts';
import type { Person } from './people.ts';
import { weighted, type Random, type WeightedTable } from './random.ts';
import { envelopeTruth, type CheckpointPassageTruth, type DocumentTruth } from './truth.ts';
import { canonicalVehicleCode } from './written-forms.ts';

export interface PassageFacts {
  person: Person;
  checkpoint: RegisteredCheckpoint;
  occurredAt: number;
  direction: Direction;
  health: HealthStatus;
  outcome: PassageOutcome;
  /** Canonical form (upper case); null away from roads or when nobody noted it. */
  plate: string | null;
}

const HEALTH = weighted<HealthStatus>({ GREEN: 88, YELLOW: 8, RED: 1, UNKNOWN: 3 });

const OUTCOME_BY_HEALTH: Readonly<Record<HealthStatus, WeightedTable<PassageOutcome>>> = {
  GREEN: weighted<PassageOutcome>({ ALLOWED: 97.5, TURNED_BACK: 1.5, SENT_TO_TESTING: 1 }),
  YELLOW: weighted<PassageOutcome>({ ALLOWED: 50, SENT_TO_TESTING: 35, TURNED_BACK: 12, SENT_TO_QUARANTINE: 3 }),
  RED: weighted<PassageOutcome>({ SENT_TO_QUARANTINE: 60, SENT_TO_TESTING: 30, TURNED_BACK: 10 }),
  UNKNOWN: weighted<PassageOutcome>({ ALLOWED: 70, SENT_TO_TESTING: 15, TURNED_BACK: 15 }),
};

export function passageFacts(random: Random, person: Person, checkpoint: RegisteredCheckpoint, occurredAt: number): PassageFacts {
  const health = HEALTH.pick(random);
  let plate: string | null = null;
  if (isOnRoad(checkpoint) && random.chance(0.65)) {
    plate = random.chance(0.6) ? plateIn(random, person.home.provinceCode, random.chance(0.2)) : motorbikePlateIn(random, person.home.provinceCode);
  }
  return {
    person,
    checkpoint,
    occurredAt,
    direction: random.chance(0.55) ? 'IN' : 'OUT',
    health,
    outcome: OUTCOME_BY_HEALTH[health].pick(random),
    plate,
  };
}

/** What a passage record says besides the facts, each source its own way. */
export interface WrittenPassage {
  document: DocumentTruth | null;
  /** The plate as the source wrote it. */
  plate: string | null;
  direction: Direction | null;
  method: IdentificationMethod;
  outcome: PassageOutcome | null;
}

/** A passage's truth: checkpoint name, type and province as the normalizer copies them from the registry. */
export function checkpointPassageTruth(source: string, facts: PassageFacts, written: WrittenPassage): CheckpointPassageTruth {
  const { checkpoint } = facts;
  return {
    ...envelopeTruth('checkpoint-passage', source, facts.occurredAt, checkpoint.provinceCode),
    checkpoint_id: checkpoint.code,
    checkpoint_name: checkpoint.name,
    checkpoint_type: checkpoint.type,
    checkpoint_province_code: checkpoint.provinceCode,
    document: written.document,
    vehicle_plate: written.plate === null ? null : canonicalVehicleCode(written.plate),
    direction: written.direction,
    passed_at: facts.occurredAt,
    identification_method: written.method,
    health_status: facts.health,
    outcome: written.outcome,
  };
}
