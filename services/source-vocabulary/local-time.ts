/**
 * Vietnamese sources write local time, UTC+7 all year (no daylight saving); the generator writes
 * it and the normalizer reads it with these same facts.
 */

export const LOCAL_OFFSET_MS = 7 * 3_600_000;
export const DAY_MS = 86_400_000;

/** The calendar fields of a local date and time. */
export interface CalendarFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}
