/**
 * `truc audit person|agency`: a privacy officer's questions to the disclosure audit, asked of the API
 * (`/v1/audit/…`, operator key) of the process that runs the ClickHouse sink. Every question asked
 * is itself written to the audit.
 */
import type { DeliveryAnswer } from '../audit/audit-reader.ts';
import { loadConfig } from '../platform/config.ts';
import { UsageError, parseCommandArgs, type Command } from './command.ts';
import { apiBase, askApi } from './operator-api.ts';

const HELP = `usage: truc audit person <document type> <number> [--json] [--api URL]
       truc audit agency <agency id> --from WHEN --to WHEN [--json] [--api URL]

person   every delivery of the person's records to an agency: when, agency, subscription,
         channel (webhook or topic), tier, kind and event id. The document type is CCCD, CMND,
         PASSPORT or OTHER; give the number as "-" to read it from standard input (kept out of
         the shell's history). The person_key is computed by the API; the number is not stored.
agency   what the agency received from WHEN (inclusive) to WHEN (exclusive): dates (2021-10-01)
         or ISO-8601 times with a zone; a year at most.
--json   the API's answer as JSON instead of lines.
--api    the API's base URL (default http://API_HOST:API_PORT).
The operator key is TRUC_OPERATOR_KEY, or on a local stack the one npm start issued.
`;

/** The API's answer (services/audit/audit-routes.ts). */
type Answer = DeliveryAnswer & { count: number };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** One line per delivery, then the count. */
export function deliveryLines(answer: Answer): string[] {
  const lines = answer.deliveries.map((d) => `${d.at}  ${d.agency.padEnd(20)} ${d.channel.padEnd(7)} ${d.tier.padEnd(12)} ${d.kind.padEnd(22)} ${d.eventId}  ${d.subscription}`);
  lines.push(`${answer.count} deliver${answer.count === 1 ? 'y' : 'ies'}${answer.truncated ? ' (more matched: ask about a shorter period)' : ''}`);
  return lines;
}

export const AUDIT_COMMAND: Command = {
  name: 'audit',
  summary: "the disclosure audit: who received a person's records, what an agency received",
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        api: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const config = loadConfig();
    const api = apiBase(config, values.api);
    const [question, ...rest] = positionals;
    let request: { route: string; init: RequestInit };
    if (question === 'person') {
      if (rest.length !== 2) throw new UsageError('audit person takes a document type and a number');
      const number = rest[1] === '-' ? await readStdin() : rest[1]!;
      request = { route: '/v1/audit/person', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentType: rest[0], number }) } };
    } else if (question === 'agency') {
      if (rest.length !== 1) throw new UsageError('audit agency takes one agency id');
      if (!values.from || !values.to) throw new UsageError('audit agency needs --from and --to');
      const query = new URLSearchParams({ from: values.from, to: values.to });
      request = { route: `/v1/audit/agency/${encodeURIComponent(rest[0]!)}?${query}`, init: { method: 'GET' } };
    } else {
      throw new UsageError('ask audit person or audit agency');
    }
    const answer = await askApi<Answer>(config, api, request.route, request.init);
    if (!answer.ok) {
      process.stderr.write(`truc audit: the API answered ${answer.status}: ${answer.message}\n`);
      return 1;
    }
    const body = answer.body;
    if (values.json) process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else for (const line of deliveryLines(body)) process.stdout.write(`${line}\n`);
    return 0;
  },
};
