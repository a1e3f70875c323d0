/**
 * WGS 84 positions: both numbers or none. Spreadsheet cells write a comma as decimal separator
 * some of the time (10,9284). A position outside Vietnam (mainland and islands, with a margin) is
 * a mistake, commonly latitude and longitude swapped: it is dropped, flagged.
 */
import { QUALITY_FLAGS, type QualityFlags } from './quality-flags.ts';
import { text } from './text.ts';

export interface Coordinates {
  latitude: number;
  longitude: number;
}

/** Vietnam's extent, the Hoàng Sa and Trường Sa archipelagos included, rounded outwards. */
const LATITUDE = { min: 8, max: 24 } as const;
const LONGITUDE = { min: 102, max: 118 } as const;

/** A position from two numbers; null when neither is given, or (flagged) when only one is or it is outside Vietnam. */
function coordinatesOf(latitude: number | null, longitude: number | null, flags: QualityFlags): Coordinates | null {
  if (latitude === null && longitude === null) return null;
  if (latitude === null || longitude === null || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
    flags.add(QUALITY_FLAGS.coordinatesInvalid);
    return null;
  }
  if (latitude < LATITUDE.min || latitude > LATITUDE.max || longitude < LONGITUDE.min || longitude > LONGITUDE.max) {
    flags.add(QUALITY_FLAGS.coordinatesOutOfRange);
    return null;
  }
  return { latitude, longitude };
}

const DECIMAL = /^-?\d+(?:[.,]\d+)?$/;

/** A decimal number as a cell writes it (dot or comma); NaN when the cell is not one, null when empty. */
function decimalCell(written: unknown): number | null {
  const cell = text(written);
  if (cell === null) return null;
  return DECIMAL.test(cell) ? Number(cell.replace(',', '.')) : Number.NaN;
}

/** A position from two text cells. */
export function coordinatesOfCells(latitude: unknown, longitude: unknown, flags: QualityFlags): Coordinates | null {
  return coordinatesOf(decimalCell(latitude), decimalCell(longitude), flags);
}

/** A position from two numeric fields (apps, portals). */
export function coordinatesOfNumbers(latitude: unknown, longitude: unknown, flags: QualityFlags): Coordinates | null {
  return coordinatesOf(typeof latitude === 'number' ? latitude : null, typeof longitude === 'number' ? longitude : null, flags);
}
