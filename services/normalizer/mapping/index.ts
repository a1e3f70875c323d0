/**
 * The mappings of the normalizer: every raw (source, kind) record to its canonical record
 * (`mapRecord`), and the key that canonical record will have (`partitionKey`), which producers
 * key raw topics with so that raw and canonical topics are co-partitioned. Each source's folder
 * reads its format (`connectors/sources/<id>/mapping.ts`, loaded for every source of the
 * registry); the normalisation rules they share are written once here (`rules/`).
 */
import { SOURCES, sourceFolder, type Kind } from '../../platform/catalog.ts';
import { loadFolderModules } from '../../platform/folder-modules.ts';
import type { KeyInput, MappingContext, MappingOutcome, PersonKeyFunction, RawInput } from './contract.ts';
import type { PairMapping, SourceMappings } from './pair-mapping.ts';
import { MappingProblem } from './rules/problem.ts';

export type * from './contract.ts';

/** By source id. */
const MAPPINGS = await loadFolderModules<string, SourceMappings>(SOURCES, sourceFolder, 'mapping.ts', 'MAPPINGS');

/** The error class of a record of a (source, kind) no mapping exists for. */
const UNSUPPORTED_SOURCE_KIND = 'UnsupportedSourceKind';

function pairMapping(source: string, kind: Kind): PairMapping | undefined {
  return MAPPINGS.get(source)?.[kind];
}
/** The canonical record of a raw record (without normalized_at), or why it cannot be mapped. */
export function mapRecord(input: RawInput, context: MappingContext): MappingOutcome {
  const mapping = pairMapping(input.source, input.kind);
  if (mapping === undefined) {
    return { ok: false, failure: { errorClass: UNSUPPORTED_SOURCE_KIND, path: '(record)', message: `no mapping for ${input.source} ${input.kind}` } };
  }
  try {
    return { ok: true, record: mapping.map(input, context) };
  } catch (error) {
    if (error instanceof MappingProblem) return { ok: false, failure: error.failure };
    throw error;
  }
}

/**
 * The key the record's canonical record will be keyed by: the person key for declarations and
 * passages (the source record id when no identity can be read), report_id for citizen reports,
 * checkpoint_id for checkpoints. Never throws for a record its raw schema accepts; throws for a
 * (source, kind) outside the catalogue.
 */
export function partitionKey(input: KeyInput, personKey: PersonKeyFunction): string {
  const mapping = pairMapping(input.source, input.kind);
  if (mapping === undefined) throw new Error(`no mapping for ${input.source} ${input.kind}`);
  return mapping.key(input, personKey);
}
