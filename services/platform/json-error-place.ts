/**
 * Where a JSON text first breaks the grammar, as line and column: JSON.parse's own messages do not
 * always say (and quote the text around the problem, which must not reach a log when the text holds
 * credentials). Meant for small configuration files; nesting is bounded so a hostile file cannot
 * exhaust the stack.
 */

export interface JsonErrorPlace {
  line: number;
  column: number;
  /** What stands there: one character, or "end of text". */
  found: string;
}

const MAX_NESTING = 256;

class Stop extends Error {
  readonly at: number;
  constructor(at: number) {
    super('json syntax error');
    this.at = at;
  }
}

/** The first place `text` is not JSON, or null when it is. */
export function jsonErrorPlace(text: string): JsonErrorPlace | null {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string) => (text[i] === char ? i++ : fail());
  const digits = () => {
    const start = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    if (i === start) fail();
  };
  const string = () => {
    expect('"');
    while (text[i] !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          }
          i++;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail();
      } else i++;
    }
    i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_NESTING) fail();
    ws();
    const char = text[i];
    if (char === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(':');
        value(depth + 1);
        ws();
        if (text[i] === '}') return void i++;
        expect(',');
      }
    }
    if (char === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ']') return void i++;
        expect(',');
      }
    }
    if (char === '"') return string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    fail();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
    return null;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.at).split('\n');
    return { line: before.length, column: before[before.length - 1]!.length + 1, found: error.at < text.length ? JSON.stringify(text[error.at]) : 'end of text' };
  }
}
