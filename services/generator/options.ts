/**
 * The generator's options, their defaults, and their checks. Every option is checked up front,
 * and a wrong one throws a `GeneratorOptionsError` naming it, before anything is generated.
 */
import { KINDS, SOURCES } from '../platform/catalog.ts';
import { createContentId, type ContentIdFunction } from '../platform/event-id.ts';
import { DEFECTS, FLAGS, INGEST_DEFECTS, NORMALIZER_DEFECTS, type Defect, type Flag } from './labels.ts';
import { DEFAULT_PAIR_WEIGHTS, PAIR_SPECS, pairKey } from './pairs.ts';
import { isDeclarationSpec, type PairSpec } from './pair-spec.ts';
import { apportion } from './schedule.ts';

export interface GeneratorOptions {
  /** An integer in [0, 2^32); the same seed and options give the same items, byte for byte. */
  seed: number;
  /** How many items in all (default 1000), split over the chosen pairs by their usual mix. */
  count?: number;
  /** Items per pair instead, keyed `<source>/<kind>` (e.g. `{ "vhd/health-declaration": 500 }`); not with count, sources or kinds. */
  counts?: Readonly<Record<string, number>>;
  /** Only these sources (default: all). */
  sources?: readonly string[];
  /** Only these kinds (default: all). */
  kinds?: readonly string[];
  /** Share of items with one defect (default 0), split evenly over the defects each pair can carry. */
  invalid?: number;
  /** Instead of `invalid`: per defect, the share of the items of the pairs it fits. */
  defects?: Readonly<Partial<Record<Defect, number>>>;
  /** Share of items with a soft problem (default 0), split evenly over the flags each pair can carry. */
  flagged?: number;
  /** Instead of `flagged`: per flag, the share of the items of the pairs it fits. */
  flags?: Readonly<Partial<Record<Flag, number>>>;
  /** Share of health declarations that are another source's declaration arriving again (default 0). */
  duplicates?: number;
  /** Declaration times, epoch ms, `from` included, `to` not (default: August 2021, local time). */
  window?: { from: number; to: number };
  /** How many distinct people the records are about (default 10,000; at least 100). */
  population?: number;
  /**
   * Makes the record ids of sources that send none (checkpoint-ops). They are keyed, so items'
   * ids match a pipeline's only with that deployment's function (its secret); the default key is
   * the generator's own, for output that never meets a pipeline.
   */
  contentId?: ContentIdFunction;
}

const GENERATOR_CONTENT_ID = createContentId('truc-generator-own-key: ids of generated rows only');

/** What can happen to one item, besides being plain valid. */
export type ItemOutcome = Defect | Flag | 'duplicate';

export interface PairPlan {
  spec: PairSpec;
  count: number;
  /** Each outcome's probability for one item of the pair; they sum to at most 1, the rest is plain valid. */
  outcomes: readonly { outcome: ItemOutcome; share: number }[];
}

export interface GeneratorPlan {
  seed: number;
  pairs: readonly PairPlan[];
  total: number;
  window: { from: number; to: number };
  population: number;
  contentId: ContentIdFunction;
}

export class GeneratorOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorOptionsError';
  }
}

/** 1 August 2021 00:00 to 1 September 2021 00:00, Vietnam time: the height of the 2021 wave. */
export const DEFAULT_WINDOW = { from: Date.parse('2021-08-01T00:00:00+07:00'), to: Date.parse('2021-09-01T00:00:00+07:00') };
export const DEFAULT_COUNT = 1000;
export const DEFAULT_POPULATION = 10_000;
const MIN_POPULATION = 100;
const MAX_POPULATION = 10_000_000;

function fail(message: string): never {
  throw new GeneratorOptionsError(message);
}

function checkShare(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(`${name} must be a share between 0 and 1, got ${JSON.stringify(value)}`);
  return value;
}

function checkCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) fail(`${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  return value;
}

function checkNames(name: string, values: readonly string[] | undefined, known: readonly string[]): Set<string> {
  if (values === undefined) return new Set(known);
  for (const value of values) if (!known.includes(value)) fail(`${name}: unknown ${JSON.stringify(value)} (known: ${known.join(', ')})`);
  return new Set(values);
}

function checkKeys(name: string, values: object | undefined, known: readonly string[]): void {
  for (const key of Object.keys(values ?? {})) if (!known.includes(key)) fail(`${name}: unknown ${JSON.stringify(key)} (known: ${known.join(', ')})`);
}

/** How many items of each pair, in PAIR_SPECS order. */
function pairCounts(options: GeneratorOptions): number[] {
  const keys = PAIR_SPECS.map((spec) => pairKey(spec.source, spec.kind));
  if (options.counts !== undefined) {
    if (options.count !== undefined || options.sources !== undefined || options.kinds !== undefined) fail('counts cannot be combined with count, sources or kinds');
    checkKeys('counts', options.counts, keys);
    return keys.map((key) => checkCount(`counts["${key}"]`, options.counts![key] ?? 0));
  }
  const count = checkCount('count', options.count ?? DEFAULT_COUNT);
  const sources = checkNames('sources', options.sources, SOURCES);
  const kinds = checkNames('kinds', options.kinds, KINDS);
  const weights = PAIR_SPECS.map((spec) => (sources.has(spec.source) && kinds.has(spec.kind) ? DEFAULT_PAIR_WEIGHTS[pairKey(spec.source, spec.kind)]! : 0));
  if (weights.every((weight) => weight === 0)) fail(`no source publishes the chosen kinds (sources: ${[...sources].join(', ')}; kinds: ${[...kinds].join(', ')})`);
  return apportion(count, weights);
}

/** The problems of each family one pair can carry. */
function applicable(spec: PairSpec): { defects: Defect[]; flags: Flag[] } {
  const own = new Set(Object.keys(spec.problems));
  return {
    defects: [...INGEST_DEFECTS, ...NORMALIZER_DEFECTS.filter((defect) => own.has(defect))],
    flags: FLAGS.filter((flag) => own.has(flag)),
  };
}

/** Shares of one family (defects or flags) for one pair: an overall share split evenly, or one share per problem. */
function familyShares<P extends string>(fits: readonly P[], overall: number, each: Readonly<Partial<Record<P, number>>> | undefined): { outcome: P; share: number }[] {
  if (each !== undefined) return fits.map((outcome) => ({ outcome, share: each[outcome] ?? 0 }));
  return fits.map((outcome) => ({ outcome, share: overall / fits.length }));
}

export function resolveOptions(options: GeneratorOptions): GeneratorPlan {
  const seed = options.seed;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32) fail(`seed must be a whole number in [0, 4294967295], got ${JSON.stringify(seed)}`);
  if (options.invalid !== undefined && options.defects !== undefined) fail('give invalid or defects, not both');
  if (options.flagged !== undefined && options.flags !== undefined) fail('give flagged or flags, not both');
  const invalid = checkShare('invalid', options.invalid);
  const flagged = checkShare('flagged', options.flagged);
  const duplicates = checkShare('duplicates', options.duplicates);
  checkKeys('defects', options.defects, DEFECTS);
  checkKeys('flags', options.flags, FLAGS);
  for (const [defect, share] of Object.entries(options.defects ?? {})) checkShare(`defects["${defect}"]`, share);
  for (const [flag, share] of Object.entries(options.flags ?? {})) checkShare(`flags["${flag}"]`, share);
  const window = options.window ?? DEFAULT_WINDOW;
  if (!Number.isFinite(window.from) || !Number.isFinite(window.to) || !(window.to > window.from)) fail('window must have finite from < to (epoch ms)');
  const population = checkCount('population', options.population ?? DEFAULT_POPULATION);
  if (population < MIN_POPULATION || population > MAX_POPULATION) fail(`population must be between ${MIN_POPULATION} and ${MAX_POPULATION}, got ${population}`);

  const counts = pairCounts(options);
  const pairs = PAIR_SPECS.map((spec, i): PairPlan => {
    const fits = applicable(spec);
    const outcomes: { outcome: ItemOutcome; share: number }[] = [
      ...familyShares(fits.defects, invalid, options.defects),
      ...familyShares(fits.flags, flagged, options.flags),
    ];
    if (isDeclarationSpec(spec)) outcomes.push({ outcome: 'duplicate', share: duplicates });
    const sum = outcomes.reduce((total, entry) => total + entry.share, 0);
    if (sum > 1 + 1e-9) fail(`the shares of defects, flags and duplicates add up to ${sum.toFixed(3)} > 1 for ${pairKey(spec.source, spec.kind)}`);
    return { spec, count: counts[i]!, outcomes: outcomes.filter((entry) => entry.share > 0) };
  });
  return { seed, pairs, total: counts.reduce((a, b) => a + b, 0), window, population, contentId: options.contentId ?? GENERATOR_CONTENT_ID };
}
