/**
 * CSV as RFC 4180 has it: fields separated by commas; a field may be enclosed in double quotes,
 * and then holds commas, line breaks and quotes (written twice) as data; records end at a line
 * break outside quotes, CRLF or LF. Strict where the RFC is: a quote inside an unquoted field or
 * text after a closing quote makes the record malformed (it becomes a dead letter) rather than
 * being guessed at.
 *
 * The parser is fed physical lines (see line-splitter.ts), so each record knows the line it starts
 * on and the byte where the next record starts.
 */
import type { PhysicalLine } from './line-splitter.ts';

export interface CsvRecord {
  fields: string[];
  /** Why the record is malformed, or null. */
  error: string | null;
  /** Line the record starts on. */
  line: number;
  /** Byte offset and line number where the next record starts. */
  end: number;
  nextLine: number;
  /** The record's bytes as in the file, without its final line break. */
  raw: Buffer;
}

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Assembles records from lines; one instance per file. */
class CsvRecordParser {
  private state: State = 'fieldStart';
  private fields: string[] = [];
  private field = '';
  private error: string | null = null;
  private startLine = 0;
  private rawParts: Buffer[] = [];
  private lastEnd = 0;
  private lastLine = 0;

  /** Feeds one line; returns the record it completes, or null when a quoted field goes on. */
  push(line: PhysicalLine): CsvRecord | null {
    if (this.rawParts.length === 0) this.startLine = line.line;
    this.rawParts.push(line.bytes);
    this.lastEnd = line.end;
    this.lastLine = line.line;
    let text: string;
    try {
      text = UTF8.decode(line.bytes);
    } catch {
      text = '';
      this.error ??= `line ${line.line} is not valid UTF-8`;
    }
    if (this.error === null) this.scan(text, line.line);
    if (this.state === 'quoted' && this.error === null) {
      if (line.terminator === '') {
        this.error = `quoted field opened on line ${this.startLine} is never closed`;
      } else {
        // A line break inside quotes is data; the record goes on with the next line.
        this.field += line.terminator;
        this.rawParts.push(Buffer.from(line.terminator));
        return null;
      }
    }
    return this.finish();
  }

  /** At the end of the input: the record a quoted field left open, if any, as malformed. */
  end(): CsvRecord | null {
    if (this.rawParts.length === 0) return null;
    this.error ??= `quoted field opened on line ${this.startLine} is never closed`;
    // The record's raw bytes end with the line break that the quoted field swallowed; drop it.
    this.rawParts.pop();
    return this.finish();
  }

  private scan(text: string, lineNumber: number): void {
    for (let i = 0; i < text.length; i += 1) {
      const char = text[i]!;
      switch (this.state) {
        case 'fieldStart':
          if (char === '"') this.state = 'quoted';
          else if (char === ',') this.fields.push('');
          else {
            this.field = char;
            this.state = 'unquoted';
          }
          break;
        case 'unquoted':
          if (char === ',') this.endField();
          else if (char === '"') {
            this.error = `line ${lineNumber}, column ${i + 1}: a quote inside an unquoted field (quote the whole field and double the quote)`;
            return;
          } else this.field += char;
          break;
        case 'quoted':
          if (char === '"') this.state = 'quoteInQuoted';
          else this.field += char;
          break;
        case 'quoteInQuoted':
          if (char === '"') {
            this.field += '"';
            this.state = 'quoted';
          } else if (char === ',') this.endField();
          else {
            this.error = `line ${lineNumber}, column ${i + 1}: text after the closing quote of a field`;
            return;
          }
          break;
      }
    }
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = 'fieldStart';
  }

  private finish(): CsvRecord {
    this.fields.push(this.field);
    const record: CsvRecord = {
      fields: this.fields,
      error: this.error,
      line: this.startLine,
      end: this.lastEnd,
      nextLine: this.lastLine + 1,
      raw: Buffer.concat(this.rawParts),
    };
    this.state = 'fieldStart';
    this.fields = [];
    this.field = '';
    this.error = null;
    this.rawParts = [];
    return record;
  }
}

/** A line with nothing on it: not a record (blank lines between records and at the end are skipped). */
function isBlankRecord(record: CsvRecord): boolean {
  return record.error === null && record.fields.length === 1 && record.fields[0] === '' && record.raw.length === 0;
}

/** The records of a stream of lines, blank lines skipped. */
export async function* csvRecords(lines: AsyncIterable<PhysicalLine>): AsyncGenerator<CsvRecord> {
  const parser = new CsvRecordParser();
  for await (const line of lines) {
    const record = parser.push(line);
    if (record !== null && !isBlankRecord(record)) yield record;
  }
  const unclosed = parser.end();
  if (unclosed !== null) yield unclosed;
}
