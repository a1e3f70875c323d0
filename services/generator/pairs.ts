/**
 * Every (source, kind) the generator renders, one spec each, in catalogue order: each source's
 * folder renders its own formats (`connectors/sources/<id>/generator.ts`, loaded for every source
 * of the registry). Checked against the catalogue at load, so a pair of a source's `source.json`
 * cannot be silently skipped, nor a renderer left without its pair.
 */
import { SOURCES, sourceEntry, sourceFolder, sourceKinds } from '../platform/catalog.ts';
import { loadFolderModules } from '../platform/folder-modules.ts';
import type { PairSpec } from './pair-spec.ts';

/** `<source>/<kind>`, as options and labels name a pair. */
export function pairKey(source: string, kind: string): string {
  return `${source}/${kind}`;
}

const renderers = await loadFolderModules<string, readonly PairSpec[]>(SOURCES, sourceFolder, 'generator.ts', 'PAIR_SPECS');

const strays = await loadFolderModules<string, readonly (readonly [string, string])[]>(SOURCES, sourceFolder, 'generator.ts', 'STRAY_FIELDS');

/** Fields a source's users or integrators add by mistake (`STRAY_FIELDS` of its generator.ts). */
export function strayFields(source: string): readonly (readonly [string, string])[] {
  const fields = strays.get(source);
  if (fields === undefined || fields.length === 0) throw new Error(`no stray fields listed for source ${source}`);
  return fields;
}

const byKey = new Map([...renderers.values()].flat().map((spec) => [pairKey(spec.source, spec.kind), spec]));

export const PAIR_SPECS: readonly PairSpec[] = sourceKinds().map(({ source, kind }) => {
  const spec = byKey.get(pairKey(source, kind));
  if (!spec) throw new Error(`generator: no renderer for ${pairKey(source, kind)} in ${sourceFolder(source)}/generator.ts`);
  return spec;
});

for (const key of byKey.keys()) {
  if (!PAIR_SPECS.some((spec) => pairKey(spec.source, spec.kind) === key)) throw new Error(`generator: a renderer for ${key}, which no source.json lists`);
}

/**
 * How common each pair is by default (`weight` in each source's `source.json`): declarations
 * most, the registry rarely (a few dozen checkpoints, re-uploaded now and then).
 */
export const DEFAULT_PAIR_WEIGHTS: Readonly<Record<string, number>> = Object.fromEntries(
  PAIR_SPECS.map(({ source, kind }) => [pairKey(source, kind), sourceEntry(source)!.kinds[kind]!.weight]),
);
