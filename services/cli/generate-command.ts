/**
 * `truc generate`: synthetic source records as NDJSON on stdout, one raw record per line, ready
 * to POST to `/v1/ingest/{source}/{kind}` (with `--labels`, the full labelled items instead).
 */
import { generateItems, GeneratorOptionsError, DEFAULT_WINDOW, type Defect, type Flag, type GeneratorOptions } from '../generator/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { writeLines } from './ndjson-output.ts';

const HELP = `usage: truc generate [options]

Writes generated source records to stdout as NDJSON, one raw record per line (as the source would
POST it), or with --labels the labelled items: { source, kind, record, sourceRecordId, eventId,
label, duplicateOf, truth }. The same seed and options always give the same output. The ids of
checkpoint-ops rows, which carry none, are keyed content ids made with the generator's own key,
not a deployment's secret, so they differ from those a deployment gives the same rows.

options:
  --seed N               seed, 0 … 4294967295 (default 1)
  --count N              number of records (default 1000), mixed over sources and kinds
  --source S             only this source (repeatable, or comma-separated): vhd, ncovi, pccovid, c06, checkpoint-ops, hotline-1022
  --kind K               only this kind (repeatable, or comma-separated)
  --pair-count S/K=N     exactly N records of one pair (repeatable), e.g. vhd/health-declaration=500; not with --count, --source, --kind
  --invalid SHARE        share of records with a defect, 0 … 1 (default 0)
  --defect NAME=SHARE    share for one defect instead (repeatable), e.g. unknown-province=0.02
  --flagged SHARE        share of records with a soft problem the normalizer flags (default 0)
  --flag NAME=SHARE      share for one soft problem instead (repeatable), e.g. invalid-phone=0.01
  --duplicates SHARE     share of health declarations repeated through a second source (default 0)
  --population N         number of distinct people (default 10000)
  --from TIME --to TIME  declaration window, ISO-8601; a date or a time without offset is Vietnam time
                         (default 2021-08-01 to 2021-09-01)
  --labels               write labelled items instead of raw records
  -h, --help             this help
`;

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function integer(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function share(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number between 0 and 1, got ${JSON.stringify(text)}`);
  return value;
}

/** An instant from ISO-8601; dates and times without an offset are Vietnam time (UTC+7). */
function instant(name: string, text: string): number {
  const withZone = LOCAL_DATE.test(text) ? `${text}T00:00:00+07:00` : LOCAL_DATE_TIME.test(text) ? `${text}+07:00` : text;
  const value = Date.parse(withZone);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be an ISO-8601 date or time, got ${JSON.stringify(text)}`);
  return value;
}

/** `--source a,b --source c` → [a, b, c] */
function list(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((value) => value.split(',').map((part) => part.trim()).filter(Boolean));
}

/** `NAME=VALUE` pairs of a repeatable option. */
function assignments(name: string, values: string[] | undefined, parse: (text: string) => number): Record<string, number> | undefined {
  if (values === undefined) return undefined;
  const result: Record<string, number> = {};
  for (const value of values) {
    const at = value.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`--${name} takes NAME=VALUE, got ${JSON.stringify(value)}`);
    result[value.slice(0, at)] = parse(value.slice(at + 1));
  }
  return result;
}

function parse(args: string[]): { options: GeneratorOptions; labels: boolean } | 'help' {
  const parsed = parseCommandArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      seed: { type: 'string' },
      count: { type: 'string' },
      source: { type: 'string', multiple: true },
      kind: { type: 'string', multiple: true },
      'pair-count': { type: 'string', multiple: true },
      invalid: { type: 'string' },
      defect: { type: 'string', multiple: true },
      flagged: { type: 'string' },
      flag: { type: 'string', multiple: true },
      duplicates: { type: 'string' },
      population: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      labels: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  const options: GeneratorOptions = {
    seed: v.seed === undefined ? 1 : integer('seed', v.seed),
    count: v.count === undefined ? undefined : integer('count', v.count),
    counts: assignments('pair-count', v['pair-count'], (text) => integer('pair-count', text)),
    sources: list(v.source),
    kinds: list(v.kind),
    invalid: v.invalid === undefined ? undefined : share('invalid', v.invalid),
    defects: assignments('defect', v.defect, (text) => share('defect', text)) as Partial<Record<Defect, number>> | undefined,
    flagged: v.flagged === undefined ? undefined : share('flagged', v.flagged),
    flags: assignments('flag', v.flag, (text) => share('flag', text)) as Partial<Record<Flag, number>> | undefined,
    duplicates: v.duplicates === undefined ? undefined : share('duplicates', v.duplicates),
    population: v.population === undefined ? undefined : integer('population', v.population),
    window:
      v.from === undefined && v.to === undefined
        ? undefined
        : { from: v.from === undefined ? DEFAULT_WINDOW.from : instant('from', v.from), to: v.to === undefined ? DEFAULT_WINDOW.to : instant('to', v.to) },
  };
  return { options, labels: v.labels ?? false };
}

export const GENERATE_COMMAND: Command = {
  name: 'generate',
  summary: 'write synthetic source records (NDJSON) for tests, demos and benchmarks',
  async run(args) {
    const request = parse(args);
    if (request === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    const items = generateItems(request.options);
    const lines = (function* () {
      try {
        for (const item of items) yield JSON.stringify(request.labels ? item : item.record);
      } catch (error) {
        // Options are checked when the first item is asked for, before anything is written.
        if (error instanceof GeneratorOptionsError) throw new UsageError(error.message);
        throw error;
      }
    })();
    await writeLines(process.stdout, lines);
    return 0;
  },
};
