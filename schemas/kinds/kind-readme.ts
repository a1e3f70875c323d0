/**
 * The generated part of each kind's `schemas/kinds/<kind>/README.md`: what the kind is, its topic,
 * key and ClickHouse table, and every canonical field with its class and whether it may leave the
 * identified tier, all made from the kind's folder (`kind.json`, `canonical.avsc`,
 * `clickhouse.ts`). `node schemas/kinds/kind-readme.ts` writes it between the README's markers
 * (making the README when the folder has none); a unit test fails while a README differs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KINDS, canonicalTopic, kindEntry, kindFolder, type Kind } from '../../services/platform/catalog.ts';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { WITHHELD_CLASSES, classifiedFields, type ClassifiedField } from '../../services/platform/field-classes.ts';
import { loadFolderModules } from '../../services/platform/folder-modules.ts';
import type { KindShape } from '../../services/platform/row-shape.ts';

const BEGIN = '<!-- made by `node schemas/kinds/kind-readme.ts` from this folder; do not edit by hand -->';
const END = '<!-- end of the generated part -->';

const tables = await loadFolderModules<Kind, KindShape>(KINDS, kindFolder, 'clickhouse.ts', 'CLICKHOUSE');

export function kindReadmeFile(kind: Kind): string {
  return path.join(REPO_ROOT, kindFolder(kind), 'README.md');
}

function outside(field: ClassifiedField, withheld: readonly string[]): string {
  if (withheld.some((outer) => field.path === outer || field.path.startsWith(`${outer}.`))) return 'no';
  if (field.identifyingWhen) return `null when ${field.identifyingWhen.field} is ${field.identifyingWhen.in.join(' or ')}`;
  return 'yes';
}

/** The generated part of one kind's README. */
export function kindReadmePart(kind: Kind): string {
  const entry = kindEntry(kind);
  const fields = classifiedFields(kind);
  const withheld = fields.filter((field) => WITHHELD_CLASSES.includes(field.class)).map((field) => field.path);
  const facts = [
    `- **One record is:** ${entry.doc}`,
    `- **Topic:** \`${canonicalTopic(kind)}\`${entry.compacted ? ' (compacted: the latest record per key is the truth)' : ''}, keyed by \`${entry.key}\``,
    `- **ClickHouse table:** \`${tables.get(kind)!.table}\` (shaped by \`clickhouse.ts\` from the pseudonymous view)`,
    `- **Same declaration across sources when:** ${entry.fingerprint ? entry.fingerprint.map((answer) => `\`${answer}\``).join(', ') : 'not deduplicated across sources'}`,
  ];
  const rows = fields.map((field) => `| \`${field.path}\` | ${field.class} | ${outside(field, withheld)} |`);
  return [
    BEGIN,
    '',
    ...facts,
    '',
    'Every field, its class (`truc.class` in `canonical.avsc`; docs/privacy.md says what each class means) and whether it may leave the identified tier (pseudonymous agencies, ClickHouse):',
    '',
    '| field | class | may leave the identified tier |',
    '| --- | --- | --- |',
    ...rows,
    '',
    END,
  ].join('\n');
}

/** The README with its generated part replaced by `part` (a README without markers gets them at its end). */
export function withPart(readme: string, part: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) return `${readme.trimEnd()}\n\n${part}\n`;
  return `${readme.slice(0, begin)}${part}${readme.slice(end + END.length)}`;
}

/** The README as it should be: its hand-written text (or a title, for a new folder) with the generated part. */
export function expectedKindReadme(kind: Kind): string {
  const file = kindReadmeFile(kind);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# \`${kind}\`\n`;
  return withPart(current, kindReadmePart(kind));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const kind of KINDS) writeFileSync(kindReadmeFile(kind), expectedKindReadme(kind));
}
