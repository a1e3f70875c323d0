/**
 * `truc catalogue`: the tables a newcomer and an integrator look up, made from the folders and
 * their registries (KINDS, connectors/sources/registry.json) so they are never out of date: every
 * kind with its topic, key and ClickHouse table; every source with the kinds it publishes, the
 * ingest route, raw topic, registry subject, record id and share of the demo feed.
 */
import { KINDS, SOURCES, canonicalTopic, kindEntry, kindFolder, rawTopic, sourceEntry, sourceFolder, sourceKinds, type Kind } from '../platform/catalog.ts';
import { valueSubject } from '../platform/avro-serde.ts';
import { loadFolderModules } from '../platform/folder-modules.ts';
import type { KindShape } from '../platform/row-shape.ts';
import { parseCommandArgs, type Command } from './command.ts';

const HELP = `usage: truc catalogue

Prints, as Markdown tables, the canonical kinds (folder, canonical topic, Kafka key, ClickHouse
table) and the (source, kind) pairs (ingest route, raw topic, schema registry subject, the raw field
holding the source's record id, default share of the demo feed), from schemas/kinds/ and
connectors/sources/. Needs no running stack.
`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The catalogue as Markdown. */
export async function catalogueMarkdown(): Promise<string> {
  const shapes = await loadFolderModules<Kind, KindShape>(KINDS, kindFolder, 'clickhouse.ts', 'CLICKHOUSE');
  const kinds = table(
    ['kind', 'folder', 'canonical topic', 'key', 'ClickHouse table'],
    KINDS.map((kind) => [`\`${kind}\``, `\`${kindFolder(kind)}/\``, `\`${canonicalTopic(kind)}\``, `\`${kindEntry(kind).key}\``, `\`${shapes.get(kind)!.table}\``]),
  );
  const sources = table(
    ['source', 'what it is', 'folder'],
    SOURCES.map((source) => [`\`${source}\``, sourceEntry(source)!.doc, `\`${sourceFolder(source)}/\``]),
  );
  const pairs = sourceKinds();
  const totalWeight = pairs.reduce((sum, { source, kind }) => sum + sourceEntry(source)!.kinds[kind]!.weight, 0);
  const pairRows = table(
    ['source', 'kind', 'ingest route', 'raw topic', 'subject', 'record id', 'demo feed share'],
    pairs.map(({ source, kind }) => {
      const pair = sourceEntry(source)!.kinds[kind]!;
      return [
        `\`${source}\``,
        `\`${kind}\``,
        `\`POST /v1/ingest/${source}/${kind}\``,
        `\`${rawTopic(source, kind)}\``,
        `\`${valueSubject(rawTopic(source, kind))}\``,
        pair.recordId === null ? 'keyed content id' : `\`${pair.recordId}\``,
        `${((100 * pair.weight) / totalWeight).toFixed(1)} %`,
      ];
    }),
  );
  return `## Kinds\n\n${kinds}\n\n## Sources\n\n${sources}\n\n## What each source publishes\n\n${pairRows}\n`;
}

export const CATALOGUE_COMMAND: Command = {
  name: 'catalogue',
  summary: 'print the kinds, sources, routes, topics and subjects (Markdown tables)',
  async run(args) {
    const { values } = parseCommandArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    process.stdout.write(await catalogueMarkdown());
    return 0;
  },
};
