/**
 * What an analyst's SQL text is, without parsing it: a small lexer that knows ClickHouse's string
 * literals, quoted identifiers, heredocs and comments, so a keyword or `;` inside them is never
 * mistaken for structure. The engine still parses and runs the query under readonly=1; this check
 * adds what readonly does not cover (several statements in one request, `INTO OUTFILE`, `USE`,
 * `KILL`, which the embedded engine allows in readonly mode) and gives `truc sql` a clear refusal
 * before anything is sent.
 */

export interface StatementInfo {
  /** The first keyword in upper case (`SELECT`, `INSERT`, …); `SELECT` for a parenthesised query; '' when empty. */
  keyword: string;
  /** Only comments and whitespace. */
  empty: boolean;
  /** More than one statement (`SELECT 1; SELECT 2`); one trailing `;` is allowed. */
  multiStatement: boolean;
  /** The query's own `FORMAT <name>` clause at its end, if any. */
  format: string | null;
  /** `… INTO OUTFILE '…'` writes a file where the engine runs. */
  intoOutfile: boolean;
}

/** Statements that only read. EXPLAIN only describes the statement after it. */
export const READ_KEYWORDS: ReadonlySet<string> = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN']);

interface Token {
  type: 'word' | 'punct';
  text: string;
}

/** Tokens outside literals and comments. Unterminated literals end the text; the engine reports them. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const skipQuoted = (quote: string): void => {
    i += 1;
    while (i < n) {
      const c = sql[i]!;
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === quote) {
        // A doubled quote is an escaped quote inside the literal.
        if (sql[i + 1] === quote) {
          i += 2;
          continue;
        }
        i += 1;
        return;
      }
      i += 1;
    }
  };
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '#' && (sql[i + 1] === ' ' || sql[i + 1] === '!')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      skipQuoted(c);
      // A quoted identifier is a name; keep a placeholder so `FORMAT "x"` is not misread.
      if (c !== "'") tokens.push({ type: 'word', text: '"' });
      else tokens.push({ type: 'punct', text: "'" });
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
        tokens.push({ type: 'punct', text: "'" });
      } else {
        tokens.push({ type: 'punct', text: c });
        i += 1;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 256))![0];
      tokens.push({ type: 'word', text: word });
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9][0-9A-Za-z_.]*/.exec(sql.slice(i, i + 256))![0];
      tokens.push({ type: 'punct', text: '0' });
      i += number.length;
    } else {
      tokens.push({ type: 'punct', text: c });
      i += 1;
    }
  }
  return tokens;
}

export function analyseStatement(sql: string): StatementInfo {
  const tokens = tokenize(sql);
  const semicolon = tokens.findIndex((token) => token.text === ';');
  const statement = semicolon === -1 ? tokens : tokens.slice(0, semicolon);
  const multiStatement = semicolon !== -1 && tokens.slice(semicolon + 1).some((token) => token.text !== ';');
  const first = statement[0];
  const keyword = first === undefined ? '' : first.text === '(' ? 'SELECT' : first.type === 'word' ? first.text.toUpperCase() : first.text;

  let format: string | null = null;
  let intoOutfile = false;
  let depth = 0;
  for (let k = 0; k < statement.length; k += 1) {
    const token = statement[k]!;
    if (token.text === '(') depth += 1;
    else if (token.text === ')') depth = Math.max(0, depth - 1);
    if (token.type !== 'word') continue;
    const word = token.text.toUpperCase();
    const next = statement[k + 1];
    if (word === 'INTO' && next?.type === 'word' && next.text.toUpperCase() === 'OUTFILE') intoOutfile = true;
    // FORMAT <name> counts only as the statement's last clause (optionally followed by SETTINGS),
    // so a column called `format` is not taken for one.
    if (depth === 0 && word === 'FORMAT' && next?.type === 'word' && next.text !== '"') {
      const after = statement[k + 2];
      if (after === undefined || (after.type === 'word' && after.text.toUpperCase() === 'SETTINGS')) format = next.text;
    }
  }
  return { keyword, empty: tokens.length === 0 || statement.length === 0, multiStatement, format, intoOutfile };
}

/**
 * Statements that change data, schema, settings, the session or the server. An unknown first word
 * is not among them: the engine may still read it as a SELECT (26.x parses `x FROM t` as
 * `SELECT x FROM t`), so it is left to the engine's parser — see ReadOnlyEngine.query.
 */
export const WRITE_KEYWORDS: ReadonlySet<string> = new Set([
  'INSERT', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'RENAME', 'DELETE', 'UPDATE', 'OPTIMIZE', 'ATTACH', 'DETACH',
  'SYSTEM', 'KILL', 'USE', 'SET', 'GRANT', 'REVOKE', 'EXCHANGE', 'UNDROP', 'BACKUP', 'RESTORE', 'CHECK', 'MOVE',
  'BEGIN', 'COMMIT', 'ROLLBACK', 'REPLACE', 'WATCH', 'EXECUTE',
]);

/** What `truc sql` refuses before sending anything (the target still enforces readonly itself). */
export function clientRefusal(info: StatementInfo): string | null {
  if (info.multiStatement || info.intoOutfile || WRITE_KEYWORDS.has(info.keyword)) return readOnlyRefusal(info);
  return null;
}

/** Why a statement may not run on the analysts' read-only access, or null when it may. */
export function readOnlyRefusal(info: StatementInfo): string | null {
  if (info.multiStatement) return 'only one statement per query is allowed';
  if (info.intoOutfile) return 'INTO OUTFILE is not allowed: results are returned to the caller, never written to files';
  if (!READ_KEYWORDS.has(info.keyword)) {
    return `${info.keyword || 'this'} statements are not allowed: the analysts' access is read-only (SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN)`;
  }
  return null;
}
