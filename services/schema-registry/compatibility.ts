/**
 * Avro parsing and compatibility, decided by avsc's own schema resolution: `reader.createResolver(writer)`
 * throws exactly when data written with `writer` cannot be read with `reader`, so the rules of the
 * Avro specification (defaults, promotions, enum symbols, aliases, unions) come from one place
 * instead of a hand-written approximation.
 */
import avro, { type Schema, type Type } from 'avsc';
import { errors } from './errors.ts';

export type AvroType = Type;

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

/** Levels arrive in any case from clients ("backward"); null when the text names no level. */
export function parseCompatibilityLevel(value: unknown): CompatibilityLevel | null {
  if (typeof value !== 'string') return null;
  const upper = value.trim().toUpperCase();
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(upper) ? (upper as CompatibilityLevel) : null;
}

export interface ParsedSchema {
  /** Compact JSON: the form stored, returned and compared, so whitespace never makes a new id. */
  normalized: string;
  type: AvroType;
}

// Java's Avro parser rejects nameless records, enums and fixed types; avsc only does when asked.
// A fresh object per parse: avsc keeps its registry of named types in the options it is given.
const parseOptions = () => ({ noAnonymousTypes: true });

/** Parses client-supplied schema text; failures become 42201 carrying avsc's explanation. */
export function parseAvroSchema(text: string): ParsedSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw errors.invalidSchema(`Invalid schema: not valid JSON (${(error as Error).message})`);
  }
  try {
    const type = avro.Type.forSchema(json as Schema, parseOptions());
    return { normalized: JSON.stringify(json), type };
  } catch (error) {
    throw errors.invalidSchema(`Invalid schema: ${(error as Error).message}`);
  }
}

// Stored schemas were validated when registered; parsing each once keeps repeated checks cheap.
// Registries hold few schemas, so the cache is not bounded.
const storedTypes = new Map<string, AvroType>();

export function typeOfStored(normalized: string): AvroType {
  let type = storedTypes.get(normalized);
  if (type === undefined) {
    type = avro.Type.forSchema(JSON.parse(normalized) as Schema, parseOptions());
    storedTypes.set(normalized, type);
  }
  return type;
}

/** Why `reader` cannot read data written with `writer`, or null when it can. */
export function readProblem(reader: AvroType, writer: AvroType): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface PreviousVersion {
  version: number;
  type: AvroType;
}

function directionOf(level: CompatibilityLevel): { backward: boolean; forward: boolean } {
  return {
    backward: level.startsWith('BACKWARD') || level.startsWith('FULL'),
    forward: level.startsWith('FORWARD') || level.startsWith('FULL'),
  };
}

function isTransitive(level: CompatibilityLevel): boolean {
  return level.endsWith('_TRANSITIVE');
}

/** Checks `candidate` against each of `targets` in the level's direction(s), ignoring transitivity. */
export function checkAgainst(level: CompatibilityLevel, candidate: AvroType, targets: readonly PreviousVersion[]): string[] {
  if (level === 'NONE') return [];
  const { backward, forward } = directionOf(level);
  const messages: string[] = [];
  for (const previous of targets) {
    if (backward) {
      const problem = readProblem(candidate, previous.type);
      if (problem !== null) {
        messages.push(`new schema cannot read data written with version ${previous.version} (${level}): ${problem}`);
      }
    }
    if (forward) {
      const problem = readProblem(previous.type, candidate);
      if (problem !== null) {
        messages.push(`version ${previous.version} cannot read data written with the new schema (${level}): ${problem}`);
      }
    }
  }
  return messages;
}

/**
 * Checks a schema about to be registered against a subject's live versions (oldest first): the
 * latest only, or every one for transitive levels. Returns the reasons it is incompatible; empty
 * means compatible.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: AvroType,
  previous: readonly PreviousVersion[],
): string[] {
  if (previous.length === 0) return [];
  const targets = isTransitive(level) ? previous : previous.slice(-1);
  return checkAgainst(level, candidate, targets);
}
