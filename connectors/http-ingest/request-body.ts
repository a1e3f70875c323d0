/**
 * Reads an ingest request body into records: one JSON object, a JSON array of objects, or NDJSON
 * (one object per line). A body that is not JSON at all is refused whole; in NDJSON a line that is
 * not JSON is one rejected record, so the good lines around it still go through.
 */

export const JSON_TYPES = ['application/json'] as const;
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-seq'] as const;

export type BodyFormat = 'json' | 'ndjson';

/** A record as read from the body; `error` is set when its line could not be parsed. */
export type BodyRecord = { value: unknown; error?: undefined } | { value?: undefined; error: string };

export class MalformedBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedBodyError';
  }
}

export function bodyFormat(contentType: string | undefined): BodyFormat | null {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if ((JSON_TYPES as readonly string[]).includes(mediaType)) return 'json';
  if ((NDJSON_TYPES as readonly string[]).includes(mediaType)) return 'ndjson';
  return null;
}

function parseError(error: unknown): string {
  return (error as Error).message.replace(/^Unexpected/, 'unexpected');
}

export function parseBody(body: Buffer, format: BodyFormat): BodyRecord[] {
  const text = body.toString('utf8');
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new MalformedBodyError(`body is not valid JSON: ${parseError(error)}`);
    }
    return (Array.isArray(parsed) ? parsed : [parsed]).map((value) => ({ value }));
  }
  const records: BodyRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push({ value: JSON.parse(line) });
    } catch (error) {
      records.push({ error: `line is not valid JSON: ${parseError(error)}` });
    }
  }
  return records;
}
