/**
 * The data generator: seeded, deterministic streams of realistic raw records for every
 * (source, kind), in each source's own format, labelled with what they are (valid, which defect,
 * soft flags, cross-source duplicate) and with the canonical facts the normalizer should find.
 *
 *   for (const item of generateItems({ seed: 42, count: 100_000, invalid: 0.05, duplicates: 0.1 })) ...
 *   const items = generate({ seed: 1, count: 100 });
 */
import avro from 'avsc';
import { RawRecordCodec } from '../platform/raw-records.ts';
import { AvroWriter } from '../platform/avro-serde.ts';
import { rawSchema } from '../platform/catalog.ts';
import { eventId } from '../platform/event-id.ts';
import { RecentDeclarations, repeatedFacts } from './duplicates.ts';
import { IdSequences } from './ids.ts';
import { applyIngestDefect, fieldShapes, type FieldShape } from './ingest-defects.ts';
import { FLAGS, INGEST_DEFECTS, type Flag, type GeneratedItem, type IngestDefect, type Label } from './labels.ts';
import { Timeline } from './local-time.ts';
import { resolveOptions, type GeneratorOptions, type ItemOutcome, type PairPlan } from './options.ts';
import { isDeclarationSpec, type RenderContext, type Rendered, type SourceProblem } from './pair-spec.ts';
import { DeclarantLog, Population } from './people.ts';
import { Random } from './random.ts';
import { PairSchedule } from './schedule.ts';

export { GeneratorOptionsError, DEFAULT_WINDOW, type GeneratorOptions } from './options.ts';
export { DUPLICATE_MAX_DELAY_MS } from './duplicates.ts';
export { CHECKPOINTS } from './checkpoints.ts';
export { DEFECTS, FLAGS, INGEST_DEFECTS, NORMALIZER_DEFECTS, QUALITY_FLAG_OF } from './labels.ts';
export type * from './labels.ts';
export type * from './truth.ts';

/** How many recent declarations duplicates are drawn from: enough to find one of another source nearly always. */
const RECENT_DECLARATIONS = 64;

/** Per pair, what the loop needs besides the plan: ingest's codec and the schema's field shapes. */
interface PairRuntime {
  plan: PairPlan;
  codec: RawRecordCodec;
  fields: readonly FieldShape[];
}

function isIngestDefect(outcome: ItemOutcome): outcome is IngestDefect {
  return (INGEST_DEFECTS as readonly string[]).includes(outcome);
}

function isFlag(problem: SourceProblem): problem is Flag {
  return (FLAGS as readonly string[]).includes(problem);
}

function pickOutcome(random: Random, plan: PairPlan): ItemOutcome | null {
  let roll = random.float();
  for (const { outcome, share } of plan.outcomes) {
    if (roll < share) return outcome;
    roll -= share;
  }
  return null;
}

/** Generates items one at a time: for large counts, nothing is held but the population and a few recent declarations. */
export function* generateItems(options: GeneratorOptions): Generator<GeneratedItem, void, undefined> {
  const plan = resolveOptions(options);
  const root = new Random(plan.seed);
  // Separate streams, so that the population does not change when other options change how much is drawn.
  const people = new Population(root.fork(), plan.population);
  const declarants = new DeclarantLog();
  const ids = new IdSequences(root.fork());
  const random = root.fork();
  const timeline = new Timeline(plan.window.from, plan.window.to);
  const schedule = new PairSchedule(plan.pairs.map((pair) => pair.count));
  const recent = new RecentDeclarations(RECENT_DECLARATIONS);
  const runtimes: PairRuntime[] = plan.pairs.map((pair) => ({
    plan: pair,
    // Ingest's own codec computes record ids and content ids; the schema id in the writer is never used.
    codec: new RawRecordCodec(pair.spec.source, pair.spec.kind, new AvroWriter(0, avro.Type.forSchema(rawSchema(pair.spec.source, pair.spec.kind) as avro.Schema)), plan.contentId),
    fields: fieldShapes(pair.spec.source, pair.spec.kind),
  }));

  for (let i = 0; i < plan.total; i++) {
    const runtime = runtimes[schedule.next()]!;
    // Items follow each other in time, busier in the day than at night.
    const context: RenderContext = { random, people, declarants, ids, time: timeline.at((i + random.float()) / plan.total) };
    yield makeItem(runtime, context, pickOutcome(random, runtime.plan), recent);
  }
}

function makeItem(runtime: PairRuntime, context: RenderContext, outcome: ItemOutcome | null, recent: RecentDeclarations): GeneratedItem {
  const { spec } = runtime.plan;
  const { random } = context;
  if (outcome === 'duplicate' && isDeclarationSpec(spec)) {
    const original = recent.originalFor(spec);
    if (original) {
      const rendered = spec.renderFacts(context, repeatedFacts(random, original), null);
      return finish(runtime, rendered, { valid: true, flags: [] }, { source: original.source, sourceRecordId: original.sourceRecordId });
    }
    // No declaration of another source to repeat yet (the stream's first items): a plain one instead.
    outcome = null;
  }
  if (outcome === 'duplicate') throw new Error(`duplicates are planned for health declarations only, not ${spec.kind}`);

  if (outcome !== null && isIngestDefect(outcome)) {
    const { record } = spec.render(context, null);
    const path = applyIngestDefect(outcome, record, spec.source, runtime.fields, random);
    const label: Label = { valid: false, defect: outcome, stage: 'ingest', path, flags: [] };
    return { source: spec.source, kind: spec.kind, record, sourceRecordId: null, eventId: null, label, duplicateOf: null, truth: null };
  }

  if (outcome === null && isDeclarationSpec(spec)) {
    // Plain valid declarations are remembered as originals for later duplicates.
    const facts = spec.newFacts(context, null);
    const item = finish(runtime, spec.renderFacts(context, facts, null), { valid: true, flags: [] }, null);
    if (spec.represents(facts)) recent.remember({ source: spec.source, sourceRecordId: item.sourceRecordId!, facts, occurredAt: item.truth!.occurred_at });
    return item;
  }

  const problem: SourceProblem | null = outcome;
  const rendered = spec.render(context, problem);
  if (problem === null) return finish(runtime, rendered, { valid: true, flags: [] }, null);
  const path = spec.problems[problem]!(rendered.record, rendered.truth, random);
  const label: Label = isFlag(problem)
    ? { valid: true, flags: [{ flag: problem, path }] }
    : { valid: false, defect: problem, stage: 'normalizer', path, flags: [] };
  return finish(runtime, rendered, label, null);
}

/** Completes an item that ingest accepts: its record id and event id as ingest computes them, and the truth for valid ones. */
function finish(runtime: PairRuntime, rendered: Rendered, label: Label, duplicateOf: GeneratedItem['duplicateOf']): GeneratedItem {
  const { spec } = runtime.plan;
  const sourceRecordId = runtime.codec.sourceRecordId(rendered.record);
  let truth: GeneratedItem['truth'] = null;
  if (label.valid) {
    truth = rendered.truth;
    truth.source_record_id = sourceRecordId;
    if (truth.kind === 'citizen-report') truth.report_id = `${spec.source}:${sourceRecordId}`;
  }
  return {
    source: spec.source,
    kind: spec.kind,
    record: rendered.record,
    sourceRecordId,
    eventId: eventId(spec.source, spec.kind, sourceRecordId),
    label,
    duplicateOf,
    truth,
  };
}

/** All items at once. */
export function generate(options: GeneratorOptions): GeneratedItem[] {
  return Array.from(generateItems(options));
}
