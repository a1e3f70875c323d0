/**
 * The embedded engine's errors as data: chdb reports them as ClickHouse's text, `Code: <n>.
 * DB::Exception: <message>. (<NAME>) (version <v>)`. The analysts' endpoint answers with them; the
 * sink classifies its binary inserts' failures by them.
 */
export interface ClickHouseErrorInfo {
  code: number;
  name: string;
  /** The message without the `Code: n. DB::Exception: ` prefix and the `(NAME)` suffix. */
  message: string;
}

/** ClickHouse's code for an error it cannot name. */
export const UNKNOWN_EXCEPTION_CODE = 1002;

const ENGINE_ERROR = /^Code: (\d+)\. DB::Exception: ([\s\S]*?)\.? \(([A-Z0-9_]+)\)(?: \(version [^)]*\))?\s*$/;

/** Reads the engine's `Code: n. DB::Exception: … (NAME)` text; anything else is an unknown exception. */
export function parseEngineError(error: unknown): ClickHouseErrorInfo {
  const text = error instanceof Error ? error.message : String(error);
  const match = ENGINE_ERROR.exec(text.trim());
  if (match) return { code: Number(match[1]), message: match[2]!, name: match[3]! };
  const clickhouseCode = (error as { clickhouseCode?: unknown } | null)?.clickhouseCode;
  return {
    code: typeof clickhouseCode === 'number' ? clickhouseCode : UNKNOWN_EXCEPTION_CODE,
    name: 'UNKNOWN_EXCEPTION',
    message: text,
  };
}
