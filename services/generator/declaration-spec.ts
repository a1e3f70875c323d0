/**
 * Assembles the health- and movement-declaration specs from a source's parts (whom it can carry,
 * how it writes them, its problems), and their truths from what the source wrote its own way.
 * Fresh facts and declarants are drawn the same way for every source.
 */
import type { Symptom } from '../../schemas/kinds/canonical-values.ts';
import { exposureTruth } from './common-fields.ts';
import { declarationFacts, type DeclarationFacts, type HealthAnswers } from './declarations.ts';
import type { Journey } from './journeys.ts';
import type { DeclarationSpec, PairSpec, ProblemApplier, RenderContext, Rendered, SourceProblem } from './pair-spec.ts';
import type { Person, Population } from './people.ts';
import { envelopeTruth, type AddressTruth, type HealthDeclarationTruth, type MovementDeclarationTruth, type PersonTruth } from './truth.ts';
import { canonicalVehicleCode } from './written-forms.ts';

export interface DeclarationSource {
  source: string;
  /** Whom a record of this source can be about. */
  accepts(person: Person): boolean;
  /** The people to draw from, given the problem the record will carry. */
  pool(people: Population, problem: SourceProblem | null): readonly Person[];
  /** Extra limits on what the source can say (beyond the person), e.g. symptoms without a key. */
  canSay?(facts: DeclarationFacts): boolean;
  renderFacts(context: RenderContext, facts: DeclarationFacts, problem: SourceProblem | null): Rendered<HealthDeclarationTruth>;
  problems: Partial<Record<SourceProblem, ProblemApplier>>;
}

export function declarationSpec(source: DeclarationSource): DeclarationSpec {
  const newFacts = (context: RenderContext, problem: SourceProblem | null): DeclarationFacts => {
    const person = context.declarants.pick(context.random, source.pool(context.people, problem), context.time);
    return declarationFacts(context.random, person, context.time);
  };
  return {
    source: source.source,
    kind: 'health-declaration',
    problems: source.problems,
    represents: (facts) => source.accepts(facts.person) && (source.canSay?.(facts) ?? true),
    newFacts,
    renderFacts: source.renderFacts,
    render: (context, problem) => source.renderFacts(context, newFacts(context, problem), problem),
  };
}

/** What a source's movement-declaration form is: whom it can be about, given the problem, and how it writes them. */
export interface MovementSource {
  source: string;
  pool(people: Population, problem: SourceProblem | null): readonly Person[];
  render(context: RenderContext, person: Person): Rendered<MovementDeclarationTruth>;
  problems: Partial<Record<SourceProblem, ProblemApplier>>;
}

export function movementDeclarationSpec(source: MovementSource): PairSpec {
  return {
    source: source.source,
    kind: 'movement-declaration',
    problems: source.problems,
    render: (context, problem) => source.render(context, context.declarants.pick(context.random, source.pool(context.people, problem), context.time)),
  };
}

/** The parts of a declaration's truth each source writes its own way. */
interface WrittenDeclaration {
  /** The instant at the source's precision. */
  occurredAt: number;
  person: PersonTruth;
  /** What the normalizer reads back where the source cannot say every symptom; the declared ones otherwise. */
  symptoms?: Symptom[];
  /** The places as the source writes them. */
  placesVisited: string[];
}

export function healthDeclarationTruth(source: string, facts: DeclarationFacts, written: WrittenDeclaration & { address: AddressTruth }): HealthDeclarationTruth {
  const { vaccination } = facts;
  return {
    ...envelopeTruth('health-declaration', source, written.occurredAt, facts.person.home.provinceCode),
    declaration_type: facts.declarationType,
    person: written.person,
    address: written.address,
    symptoms: written.symptoms ?? [...facts.symptoms],
    exposure: exposureTruth(facts, written.placesVisited),
    vaccination: { doses: vaccination.doses, last_dose_date: vaccination.lastDoseDay },
  };
}

/** A movement declaration's truth; `vehicleCode` as the source wrote it. */
export function movementDeclarationTruth(
  source: string,
  trip: Journey,
  answers: HealthAnswers,
  written: WrittenDeclaration & { vehicleCode: string | null },
): MovementDeclarationTruth {
  return {
    ...envelopeTruth('movement-declaration', source, written.occurredAt, trip.destination.provinceCode),
    person: written.person,
    transport_mode: trip.mode,
    vehicle_code: written.vehicleCode === null ? null : canonicalVehicleCode(written.vehicleCode),
    seat: trip.seat,
    origin: { province_code: trip.origin.provinceCode, name: trip.origin.name },
    destination: { province_code: trip.destination.provinceCode, name: trip.destination.name },
    departure_date: trip.departureDay,
    symptoms: written.symptoms ?? [...answers.symptoms],
    exposure: exposureTruth(answers, written.placesVisited),
  };
}
