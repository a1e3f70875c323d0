/**
 * How `truc sql` prints a result: an aligned table from the engine's JSONCompact output, and the
 * footer with rows, query time and rows read.
 */

export interface CompactResult {
  meta: Array<{ name: string; type: string }>;
  data: unknown[][];
}

const MAX_CELL = 60;
const NUMERIC_TYPE = /^(?:Nullable\()?(?:U?Int\d+|Float\d+|Decimal)/;

function cell(value: unknown): string {
  const text = value === null ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value);
  // One line per row: control characters would break the alignment.
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : '?'));
  return [...flat].length > MAX_CELL ? `${[...flat].slice(0, MAX_CELL - 1).join('')}…` : flat;
}

const width = (text: string): number => [...text].length;

export function renderTable(result: CompactResult): string {
  const header = result.meta.map((column) => column.name);
  const rows = result.data.map((row) => row.map(cell));
  const widths = header.map((name, i) => Math.max(width(name), ...rows.map((row) => width(row[i] ?? ''))));
  const numeric = result.meta.map((column) => NUMERIC_TYPE.test(column.type));
  const pad = (text: string, i: number): string => {
    const fill = ' '.repeat(widths[i]! - width(text));
    return numeric[i] ? fill + text : text + fill;
  };
  const line = (cells: string[]): string => cells.map(pad).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export function renderFooter(figures: { rows: number | null; elapsedSeconds: number; rowsRead: number }): string {
  const rows = figures.rows === null ? '' : `${figures.rows} ${figures.rows === 1 ? 'row' : 'rows'} in set. `;
  return `${rows}Elapsed: ${figures.elapsedSeconds.toFixed(3)} sec. Rows read: ${figures.rowsRead.toLocaleString('en-US')}.\n`;
}
