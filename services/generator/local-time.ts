/**
 * Times as Vietnamese sources write them: local time UTC+7 (no daylight saving) in each source's
 * format, and the reverse arithmetic on local calendar days.
 */
import { DAY_MS, LOCAL_OFFSET_MS, type CalendarFields } from '../source-vocabulary/local-time.ts';
import { firstAbove } from './random.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** Local calendar fields of an instant. */
export function localParts(ms: number): CalendarFields {
  const date = new Date(ms + LOCAL_OFFSET_MS);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/** The local calendar day of an instant, as days since 1970-01-01 (the canonical `date` logical type). */
export function localDay(ms: number): number {
  return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS);
}

/** The instant of local midnight starting a day. */
export function localMidnight(day: number): number {
  return day * DAY_MS - LOCAL_OFFSET_MS;
}

/** Cuts an instant down to a whole second or minute, as a source writing no finer unit does. */
export function truncate(ms: number, unitMs: number): number {
  return Math.floor(ms / unitMs) * unitMs;
}

/** dd/MM/yyyy */
export function formatDate(ms: number): string {
  const p = localParts(ms);
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year}`;
}

/** dd/MM/yyyy of explicit calendar fields (birth dates, which are not instants). */
export function formatCalendarDate(year: number, month: number, day: number): string {
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

/** yyyy-MM-dd of explicit calendar fields; 00 for unknown month and day. */
export function formatIsoCalendarDate(year: number, month: number, day: number): string {
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** dd/MM/yyyy HH:mm */
export function formatDateMinutes(ms: number): string {
  const p = localParts(ms);
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

/** dd/MM/yyyy HH:mm:ss */
export function formatDateSeconds(ms: number): string {
  const p = localParts(ms);
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
}

/** yyyy-MM-dd HH:mm:ss, no offset */
export function formatIsoLocalSeconds(ms: number): string {
  const p = localParts(ms);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
}

/** yyyy-MM-ddTHH:mm:ss+07:00 */
export function formatIsoOffset(ms: number): string {
  const p = localParts(ms);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}+07:00`;
}

/** yyyy-MM-dd of an instant's local day */
export function formatIsoDate(ms: number): string {
  const p = localParts(ms);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

/** Epoch milliseconds, as PC-Covid sends times: the instant itself. */
export function epochMs(ms: number): number {
  return ms;
}

/** yyyyMMdd, as ids embed the day */
export function compactDate(ms: number): string {
  const p = localParts(ms);
  return `${p.year}${pad2(p.month)}${pad2(p.day)}`;
}

/**
 * Relative activity per local hour: few declarations at night, peaks in the morning and evening.
 * Index 0 is 00:00–01:00.
 */
const HOURLY_ACTIVITY = [1, 0.5, 0.3, 0.3, 0.5, 1.5, 4, 7, 8, 7, 6, 6, 6, 5, 5, 5, 5, 5, 6, 7, 7, 6, 4, 2];

/**
 * Maps a fraction of the way through a time window to an instant, with more instants at busy local
 * hours. Fractions that grow give instants that grow, so a stream made this way is in time order.
 */
export class Timeline {
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(start: number, end: number) {
    if (!(end > start)) throw new Error('a timeline needs end > start');
    let total = 0;
    // Local hours start on whole UTC hours, since UTC+7 is a whole number of hours.
    for (let at = start; at < end; ) {
      const next = Math.min(end, Math.floor(at / HOUR_MS) * HOUR_MS + HOUR_MS);
      const weight = HOURLY_ACTIVITY[localParts(at).hour]! * ((next - at) / HOUR_MS);
      this.starts.push(at);
      this.lengths.push(next - at);
      total += weight;
      this.cumulative.push(total);
      at = next;
    }
    this.total = total;
  }

  /** The instant a `fraction` in [0, 1) of the way through the window's activity. */
  at(fraction: number): number {
    const target = fraction * this.total;
    const low = firstAbove(this.cumulative, target);
    const before = low === 0 ? 0 : this.cumulative[low - 1]!;
    const within = (target - before) / (this.cumulative[low]! - before);
    return Math.floor(this.starts[low]! + within * this.lengths[low]!);
  }
}
