/**
 * Domestic journeys for movement declarations: by air between airports, by SE train along the
 * North–South railway, by coach between provinces, by boat on the passenger routes, or by private
 * vehicle. Summer 2021 had few flights and many people driving home, so private journeys dominate.
 */
import type { TransportMode } from '../../schemas/kinds/canonical-values.ts';
import { PROVINCES_BY_POPULATION, motorbikePlateIn, plateIn } from './geography.ts';
import { localDay } from './local-time.ts';
import type { Person } from './people.ts';
import { weighted, type Random } from './random.ts';
import { AIRPORTS, BOAT_ROUTES, RAIL_STATIONS, coachStation, flightCode, trainCode, type Terminal } from './transport-network.ts';

export interface JourneyPlace {
  provinceCode: string;
  /** Station, airport, port or address as declared; null when left empty. */
  name: string | null;
}

/** For PERSONAL journeys, what PC-Covid's form distinguishes (car, motorbike) and vhd calls "Khác" (other). */
export type PrivateVehicle = 'car' | 'motorbike' | 'other';

export interface Journey {
  mode: TransportMode;
  privateVehicle: PrivateVehicle | null;
  /** Flight number, train number or plate in canonical form (upper case, no spaces around separators). */
  vehicleCode: string | null;
  seat: string | null;
  origin: JourneyPlace;
  destination: JourneyPlace;
  departureDay: number;
}

const MODES = weighted<TransportMode>({ PERSONAL: 52, AIR: 25, COACH: 15, RAIL: 5, WATERWAY: 3 });
const PRIVATE_VEHICLES = weighted<PrivateVehicle>({ car: 55, motorbike: 35, other: 10 });

function otherProvince(random: Random, than: string): string {
  for (;;) {
    const code = PROVINCES_BY_POPULATION.pick(random);
    if (code !== than) return code;
  }
}

function twoDifferent<T>(random: Random, items: readonly T[], preferFirst: (item: T) => boolean): [T, T] {
  const preferred = items.filter(preferFirst);
  const first = preferred.length > 0 && random.chance(0.7) ? random.pick(preferred) : random.pick(items);
  for (;;) {
    const second = random.pick(items);
    if (second !== first) return [first, second];
  }
}

const place = (terminal: Terminal): JourneyPlace => ({ provinceCode: terminal.provinceCode, name: terminal.name });

function airJourney(random: Random, person: Person): Omit<Journey, 'departureDay'> {
  const [from, to] = twoDifferent(random, AIRPORTS, (airport) => airport.provinceCode === person.home.provinceCode);
  const seat = `${random.between(1, 40)}${random.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`;
  return { mode: 'AIR', privateVehicle: null, vehicleCode: flightCode(random), seat, origin: place(from), destination: place(to) };
}

function railJourney(random: Random, person: Person): Omit<Journey, 'departureDay'> {
  const [from, to] = twoDifferent(random, RAIL_STATIONS, (station) => station.provinceCode === person.home.provinceCode);
  const southbound = RAIL_STATIONS.indexOf(from) < RAIL_STATIONS.indexOf(to);
  const seat = random.chance(0.5) ? `Toa ${random.between(1, 12)} giường ${random.between(1, 42)}` : `Toa ${random.between(1, 12)} ghế ${random.between(1, 64)}`;
  return { mode: 'RAIL', privateVehicle: null, vehicleCode: trainCode(random, southbound), seat, origin: place(from), destination: place(to) };
}

function coachJourney(random: Random, person: Person): Omit<Journey, 'departureDay'> {
  const from = person.home.provinceCode;
  const to = otherProvince(random, from);
  const seat = random.chance(0.6) ? `${random.pick(['A', 'B'])}${String(random.between(1, 22)).padStart(2, '0')}` : null;
  return {
    mode: 'COACH',
    privateVehicle: null,
    vehicleCode: plateIn(random, from, true),
    seat,
    origin: { provinceCode: from, name: coachStation(random, from) },
    destination: { provinceCode: to, name: coachStation(random, to) },
  };
}

function boatJourney(random: Random): Omit<Journey, 'departureDay'> {
  const route = random.pick(BOAT_ROUTES);
  const [from, to] = random.chance(0.5) ? [route.from, route.to] : [route.to, route.from];
  const seat = random.chance(0.5) ? `Ghế ${random.between(1, 180)}` : null;
  return { mode: 'WATERWAY', privateVehicle: null, vehicleCode: random.pick(route.vessels), seat, origin: place(from), destination: place(to) };
}

function privateJourney(random: Random, person: Person): Omit<Journey, 'departureDay'> {
  const privateVehicle = PRIVATE_VEHICLES.pick(random);
  const from = person.home.provinceCode;
  // People driving home from the southern provinces to their home towns, or the other way.
  const to = person.hometown && random.chance(0.6) ? person.hometown.provinceCode : otherProvince(random, from);
  let vehicleCode: string | null = null;
  if (privateVehicle === 'car') vehicleCode = plateIn(random, from, false);
  else if (privateVehicle === 'motorbike') vehicleCode = motorbikePlateIn(random, from);
  return {
    mode: 'PERSONAL',
    privateVehicle,
    vehicleCode,
    seat: null,
    origin: { provinceCode: from, name: random.chance(0.6) ? person.home.line : null },
    destination: { provinceCode: to, name: person.hometown && to === person.hometown.provinceCode && random.chance(0.6) ? person.hometown.line : null },
  };
}

/** A journey declared at `declaredAt`, departing that day or within the next three. */
export function journey(random: Random, person: Person, declaredAt: number): Journey {
  const mode = MODES.pick(random);
  const route =
    mode === 'AIR' ? airJourney(random, person)
    : mode === 'RAIL' ? railJourney(random, person)
    : mode === 'COACH' ? coachJourney(random, person)
    : mode === 'WATERWAY' ? boatJourney(random)
    : privateJourney(random, person);
  const daysAhead = random.chance(0.5) ? 0 : random.chance(0.6) ? 1 : random.between(2, 3);
  return { ...route, departureDay: localDay(declaredAt) + daysAhead };
}
