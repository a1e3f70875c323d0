/**
 * The mappings of the normalizer: every raw (source, kind) record to its canonical record
 * (`mapRecord`), and the key that canonical record will have (`partitionKey`), which producers
 * key raw topics with so that raw and canonical topics are co-partitioned. One module per source
 * (`sources/`) reads its format; the normalisation rules they share are written once (`rules/`).
 */
import type { Kind } from '../../platform/catalog.ts';
import type { KeyInput, MappingContext, MappingOutcome, PersonKeyFunction, RawInput } from './contract.ts';
import type { PairMapping, SourceMappings } from './pair-mapping.ts';
import { MappingProblem } from './rules/problem.ts';
import { C06 } from './sources/c06.ts';
import { CHECKPOINT_OPS } from './sources/checkpoint-ops.ts';
import { HOTLINE_1022 } from './sources/hotline-1022.ts';
import { NCOVI } from './sources/ncovi.ts';
import { PCCOVID } from './sources/pccovid.ts';
import { VHD } from './sources/vhd.ts';

export type * from './contract.ts';

/** By source id, as in `schemas/catalog.json`. */
const MAPPINGS: Readonly<Record<string, SourceMappings>> = {
  vhd: VHD,
  ncovi: NCOVI,
  pccovid: PCCOVID,
  c06: C06,
  'checkpoint-ops': CHECKPOINT_OPS,
  'hotline-1022': HOTLINE_1022,
};

/** The error class of a record of a (source, kind) no mapping exists for. */
const UNSUPPORTED_SOURCE_KIND = 'UnsupportedSourceKind';

function pairMapping(source: string, kind: Kind): PairMapping | undefined {
  return Object.hasOwn(MAPPINGS, source) ? MAPPINGS[source]![kind] : undefined;
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
