/**
 * The table of docs/privacy.md that lists every canonical field with its class and who sees it,
 * made from the schemas' classification. `node schemas/kinds/privacy-table.ts` writes it into the
 * page (between its markers); a unit test fails while the page differs from what this makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KINDS } from '../../services/platform/catalog.ts';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { WITHHELD_CLASSES, classifiedFields, type ClassifiedField } from '../../services/platform/field-classes.ts';

export const PRIVACY_PAGE = path.join(REPO_ROOT, 'docs/privacy.md');
const BEGIN = '<!-- field classes: made by `node schemas/kinds/privacy-table.ts` from the schemas; do not edit by hand -->';
const END = '<!-- end of field classes -->';

function outside(field: ClassifiedField, withheld: readonly string[]): string {
  if (withheld.some((outer) => field.path === outer || field.path.startsWith(`${outer}.`))) return 'no';
  if (field.identifyingWhen) return `null when ${field.identifyingWhen.field} is ${field.identifyingWhen.in.join(' or ')}`;
  return 'yes';
}

/** The generated part of the page: one table per kind. */
export function privacyTable(): string {
  const sections = KINDS.map((kind) => {
    const fields = classifiedFields(kind);
    const withheld = fields.filter((field) => WITHHELD_CLASSES.includes(field.class)).map((field) => field.path);
    const rows = fields.map((field) => `| \`${field.path}\` | ${field.class} | ${outside(field, withheld)} |`);
    return [`### \`${kind}\``, '', '| field | class | may leave the identified tier |', '| --- | --- | --- |', ...rows].join('\n');
  });
  return [BEGIN, '', ...sections.flatMap((section) => [section, '']), END].join('\n');
}

/** The page with its generated part replaced by `table`. */
export function withTable(page: string, table: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${PRIVACY_PAGE}: the markers of the field table are missing`);
  return `${page.slice(0, begin)}${table}${page.slice(end + END.length)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(PRIVACY_PAGE, withTable(readFileSync(PRIVACY_PAGE, 'utf8'), privacyTable()));
}
