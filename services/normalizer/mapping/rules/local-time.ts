/**
 * Times to UTC instants (epoch ms) and dates to days since 1970-01-01, from each source's own
 * format. Vietnamese sources write local time, UTC+7 all year (no daylight saving); C06 writes an
 * explicit offset and PC-Covid epoch milliseconds. A text that does not have the source's shape is
 * a MalformedDate; one that has it but names no calendar day or time of day (31/02, 29/02/2021,
 * 24:10) is an ImpossibleDate. A record's own time later than now is a FutureDate: sources stamp
 * records when they are made, so it is a wrong clock or a typo, and would sort wrongly downstream.
 */
import { DAY_MS, LOCAL_OFFSET_MS, type CalendarFields } from '../../../source-vocabulary/local-time.ts';
import { ERROR_CLASSES, MappingProblem } from './problem.ts';

/** How far a record's time may be ahead of the engine's clock: source devices' clocks drift. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

type Token = 'yyyy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss';

/** A source's date or time format, e.g. `dd/MM/yyyy HH:mm:ss`. */
export interface LocalFormat {
  readonly pattern: string;
  readonly regex: RegExp;
  /** The tokens in the order the regex captures them. */
  readonly tokens: readonly Token[];
  /** Whether it has a time of day (HH). */
  readonly hasTime: boolean;
}

/** The calendar fields a text names; month and day 0 where a source writes a year only (C06 `yyyy-00-00`). */
export interface CalendarParts extends CalendarFields {
  /** Whether the format has a time of day (a date alone means local midnight). */
  hasTime: boolean;
}

const TOKEN = /yyyy|MM|dd|HH|mm|ss/g;

export function localFormat(pattern: string): LocalFormat {
  const tokens: Token[] = [];
  const source = pattern.replace(TOKEN, (token) => {
    tokens.push(token as Token);
    return token === 'yyyy' ? '(\\d{4})' : '(\\d{2})';
  });
  return { pattern, regex: new RegExp(`^${source}$`), tokens, hasTime: tokens.includes('HH') };
}

/** The calendar fields of a text in `format`, unchecked; fails with MalformedDate when the text is not in the format. */
export function calendarParts(written: string, format: LocalFormat, path: string): CalendarParts {
  const match = format.regex.exec(written.trim());
  if (match === null) throw new MappingProblem(ERROR_CLASSES.malformedDate, path, `not in the source's format ${format.pattern}`);
  const parts: CalendarParts = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, hasTime: format.hasTime };
  const { tokens } = format;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const value = Number(match[i + 1]);
    if (token === 'yyyy') parts.year = value;
    else if (token === 'MM') parts.month = value;
    else if (token === 'dd') parts.day = value;
    else if (token === 'HH') parts.hour = value;
    else if (token === 'mm') parts.minute = value;
    else parts.second = value;
  }
  return parts;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Gregorian leap years: every fourth year, but not whole centuries unless they divide by 400. */
function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The days in a month (1–12) of a year. */
function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Fails with ImpossibleDate unless the fields name a real calendar day and time of day. */
export function checkCalendar(parts: CalendarParts, path: string): void {
  const { year, month, day, hour, minute, second } = parts;
  const real = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
  if (!real) throw new MappingProblem(ERROR_CLASSES.impossibleDate, path, 'names no calendar day or time of day');
}

/** The instant of local (UTC+7) calendar fields. */
function localInstantOf(parts: CalendarParts): number {
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - LOCAL_OFFSET_MS;
}

/** A local time written in `format`, as a UTC instant; a date alone is local midnight. */
export function localInstant(written: string, format: LocalFormat, path: string): { at: number; hasTime: boolean } {
  const parts = calendarParts(written, format, path);
  checkCalendar(parts, path);
  return { at: localInstantOf(parts), hasTime: parts.hasTime };
}

/** A local time written in the first of `formats` that fits it. */
export function localInstantIn(written: string, formats: readonly LocalFormat[], path: string): { at: number; hasTime: boolean } {
  const format = formats.find((candidate) => candidate.regex.test(written.trim()));
  if (format === undefined) {
    throw new MappingProblem(ERROR_CLASSES.malformedDate, path, `not in the source's formats ${formats.map((f) => f.pattern).join(' or ')}`);
  }
  return localInstant(written, format, path);
}

/** A calendar date written in `format`, as days since 1970-01-01 (the canonical `date` logical type). */
export function calendarDay(written: string, format: LocalFormat, path: string): number {
  const parts = calendarParts(written, format, path);
  checkCalendar(parts, path);
  return Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS;
}

/** The local (UTC+7) calendar day of an instant, as days since 1970-01-01. */
export function localDayOf(at: number): number {
  return Math.floor((at + LOCAL_OFFSET_MS) / DAY_MS);
}

/** The local (UTC+7) year of an instant. */
export function localYearOf(at: number): number {
  return new Date(at + LOCAL_OFFSET_MS).getUTCFullYear();
}

const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):?(\d{2}))$/;

/** An ISO-8601 time with its offset (2021-08-14T09:35:12+07:00), as a UTC instant. */
export function instantWithOffset(written: string, path: string): number {
  const match = WITH_OFFSET.exec(written.trim());
  if (match === null) throw new MappingProblem(ERROR_CLASSES.malformedDate, path, 'not an ISO-8601 time with offset (yyyy-MM-ddTHH:mm:ss±HH:mm)');
  const [, year, month, day, hour, minute, second, fraction, zone, sign, offsetHours, offsetMinutes] = match;
  const parts: CalendarParts = {
    year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second), hasTime: true,
  };
  checkCalendar(parts, path);
  const offsetMs = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0'));
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, millis) - offsetMs;
}

/** The record's own time, unless it is later than now beyond the tolerance (FutureDate). */
export function notInFuture(at: number, now: number, path: string): number {
  if (at > now + FUTURE_TOLERANCE_MS) throw new MappingProblem(ERROR_CLASSES.futureDate, path, 'is later than now');
  return at;
}
