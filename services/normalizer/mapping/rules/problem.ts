/**
 * How a rule says a record cannot be mapped: it throws a `MappingProblem`, and `mapRecord` turns it
 * into the `MappingFailure` the dead letter carries. Throwing keeps the source mappings a plain
 * sequence of reads; only bad records pay for it.
 */
import type { MappingFailure } from '../contract.ts';

/** The error classes the mappings report (MappingFailure.errorClass). */
export const ERROR_CLASSES = {
  /** A province field the record is about names no province of 2021. */
  unknownProvince: 'UnknownProvince',
  /** A date or time shaped right that names no calendar day or time of day (31/02, 25:00). */
  impossibleDate: 'ImpossibleDate',
  /** A date or time not in the source's format. */
  malformedDate: 'MalformedDate',
  /** The record's own time is later than now (beyond the clock tolerance). */
  futureDate: 'FutureDate',
  /** A birth year before 1900 or after the record's own year. */
  birthYearOutOfRange: 'BirthYearOutOfRange',
  /** A PC-Covid personal QR payload that cannot be read. */
  malformedQrPayload: 'MalformedQrPayload',
  /** A code from a source's fixed list that the vocabulary does not know, where the canonical field cannot be left empty. */
  unknownCode: 'UnknownCode',
} as const;

export type ErrorClass = (typeof ERROR_CLASSES)[keyof typeof ERROR_CLASSES];

/**
 * An error class only one source's format has, declared in that source's mapping (a laboratory
 * result the lab has not released, say): named like the shared ones, in UpperCamelCase, so the
 * dead letters of every source read alike.
 */
export function ownErrorClass(name: string): ErrorClass {
  if (!/^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/.test(name)) throw new Error(`error class ${JSON.stringify(name)} is not UpperCamelCase`);
  return name as ErrorClass;
}

export class MappingProblem extends Error {
  readonly failure: MappingFailure;

  constructor(errorClass: ErrorClass, path: string, message: string) {
    // A record that cannot be mapped is data, not a fault of the code: nobody reads where it was
    // thrown from, and capturing the stack cost more than mapping a good record.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${errorClass} at ${path}: ${message}`);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'MappingProblem';
    this.failure = { errorClass, path, message };
  }
}
