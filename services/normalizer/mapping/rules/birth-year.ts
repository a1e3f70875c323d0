/**
 * Birth years: nobody declaring in 2021 was born before 1900, and nobody is born after the record
 * that declares them (a child born the same year is fine). Such a year is a typo the source should
 * correct, not something to guess at: BirthYearOutOfRange.
 */
import { calendarParts, checkCalendar, localYearOf, type LocalFormat } from './local-time.ts';
import { ERROR_CLASSES, MappingProblem } from './problem.ts';

const EARLIEST_BIRTH_YEAR = 1900;

/** The birth year, unless it is before 1900 or after the local year of the record's time `occurredAt`. */
export function checkBirthYear(year: number, occurredAt: number, path: string): number {
  if (year < EARLIEST_BIRTH_YEAR || year > localYearOf(occurredAt)) {
    throw new MappingProblem(ERROR_CLASSES.birthYearOutOfRange, path, `is before ${EARLIEST_BIRTH_YEAR} or after the year of the record`);
  }
  return year;
}

/**
 * The birth year of a date of birth written in `format`. The year is checked before the day, so
 * that 29/02/1850 reads as the wrong year it is rather than as an impossible day. Month and day 00
 * together mean the year alone is known (C06 writes 1942-00-00).
 */
export function birthYearOfDate(written: string, format: LocalFormat, occurredAt: number, path: string): number {
  const parts = calendarParts(written, format, path);
  const year = checkBirthYear(parts.year, occurredAt, path);
  if (!(parts.month === 0 && parts.day === 0)) checkCalendar(parts, path);
  return year;
}
