/**
 * Every (source, kind) the generator renders, one spec each, in catalogue order. Checked against
 * `schemas/catalog.json` at load, so a new pair in the catalogue cannot be silently skipped.
 */
import { sourceKinds } from '../platform/catalog.ts';
import type { PairSpec } from './pair-spec.ts';
import { C06_HEALTH_DECLARATION } from './sources/c06.ts';
import { CHECKPOINT_OPS_CHECKPOINT, CHECKPOINT_OPS_PASSAGE } from './sources/checkpoint-ops.ts';
import { HOTLINE_CITIZEN_REPORT } from './sources/hotline-1022.ts';
import { NCOVI_HEALTH_DECLARATION } from './sources/ncovi.ts';
import { PCCOVID_CHECKPOINT_PASSAGE, PCCOVID_CITIZEN_REPORT, PCCOVID_HEALTH_DECLARATION, PCCOVID_MOVEMENT_DECLARATION } from './sources/pccovid.ts';
import { VHD_HEALTH_DECLARATION, VHD_MOVEMENT_DECLARATION } from './sources/vhd.ts';

/** `<source>/<kind>`, as options and labels name a pair. */
export function pairKey(source: string, kind: string): string {
  return `${source}/${kind}`;
}

const SPECS: readonly PairSpec[] = [
  VHD_HEALTH_DECLARATION,
  VHD_MOVEMENT_DECLARATION,
  NCOVI_HEALTH_DECLARATION,
  PCCOVID_HEALTH_DECLARATION,
  PCCOVID_MOVEMENT_DECLARATION,
  PCCOVID_CHECKPOINT_PASSAGE,
  PCCOVID_CITIZEN_REPORT,
  C06_HEALTH_DECLARATION,
  CHECKPOINT_OPS_CHECKPOINT,
  CHECKPOINT_OPS_PASSAGE,
  HOTLINE_CITIZEN_REPORT,
];

const byKey = new Map(SPECS.map((spec) => [pairKey(spec.source, spec.kind), spec]));

export const PAIR_SPECS: readonly PairSpec[] = sourceKinds().map(({ source, kind }) => {
  const spec = byKey.get(pairKey(source, kind));
  if (!spec) throw new Error(`generator: no renderer for ${pairKey(source, kind)} in the catalogue`);
  return spec;
});

/**
 * How common each pair is by default, in percent: declarations most, the registry rarely
 * (a few dozen checkpoints, re-uploaded now and then).
 */
export const DEFAULT_PAIR_WEIGHTS: Readonly<Record<string, number>> = {
  'vhd/health-declaration': 18,
  'vhd/movement-declaration': 6,
  'ncovi/health-declaration': 12,
  'pccovid/health-declaration': 20,
  'pccovid/movement-declaration': 6,
  'pccovid/checkpoint-passage': 14,
  'pccovid/citizen-report': 2,
  'c06/health-declaration': 8,
  'checkpoint-ops/checkpoint': 1,
  'checkpoint-ops/checkpoint-passage': 10,
  'hotline-1022/citizen-report': 3,
};
