/**
 * `truc sunset`: ends an epidemic's data life through the API of the process running the pipeline
 * (`POST /v1/sunset`, operator key), after the operator has typed the confirmation phrase, and
 * prints the signed receipt it wrote to the audit.
 */
import { createInterface } from 'node:readline/promises';
import { SUNSET_STORES, loadConfig, type Config } from '../platform/config.ts';
import type { SignedReceipt, SunsetReceipt } from '../sunset/receipt.ts';
import { SUNSET_CONFIRMATION } from '../sunset/sunset.ts';
import { parseCommandArgs, type Command } from './command.ts';
import { apiBase, askApi } from './operator-api.ts';

const HELP = `usage: truc sunset [--yes] [--json] [--api URL]

Ends the epidemic's data life on the running pipeline (npm start): stops ingest, waits for the
normalizer, the ClickHouse sink and every active subscription to catch up, erases what SUNSET_<STORE>
says (topics emptied, ClickHouse's row-level tables anonymised by default; the audit is kept),
rotates the person_key secret and destroys the old one, resumes ingest and writes a signed receipt
to the disclosure audit. It cannot be undone. Asks for the phrase "${SUNSET_CONFIRMATION}" first.
  --yes    do not ask (scripts that have asked already)
  --json   the API's answer (receipt, signature, public key) as JSON
  --api    the API's base URL (default http://API_HOST:API_PORT)
The operator key is TRUC_OPERATOR_KEY, or on a local stack the one npm start issued.
`;

/** What the sunset will do to each store, for the operator to read before confirming. */
export function plannedLines(config: Config): string[] {
  return [
    ...SUNSET_STORES.map((store) => `  ${store.padEnd(14)} ${config.sunset.actions[store]}`),
    `  ${'audit'.padEnd(14)} keep (its own retention)`,
    `  ${'secret'.padEnd(14)} rotate, destroy the old one`,
  ];
}

/** The receipt in lines: per store and table, then the signature. */
export function receiptLines(signed: SignedReceipt): string[] {
  const receipt = JSON.parse(signed.receipt) as SunsetReceipt;
  const byStore = new Map<string, { topics: number; offsets: number; action: string }>();
  for (const topic of receipt.topics) {
    const entry = byStore.get(topic.store) ?? { topics: 0, offsets: 0, action: topic.action };
    byStore.set(topic.store, { topics: entry.topics + 1, offsets: entry.offsets + topic.offsets, action: topic.action });
  }
  return [
    `sunset ${receipt.sunsetId}: ${receipt.startedAt} to ${receipt.finishedAt}`,
    `  drained: ${receipt.drained.join(', ')}${receipt.notWaitedFor.length > 0 ? `; not waited for: ${receipt.notWaitedFor.join(', ')}` : ''}`,
    ...[...byStore].map(([store, e]) => `  ${store.padEnd(14)} ${e.action} ${e.offsets} offsets in ${e.topics} topics`),
    ...receipt.clickhouse.map((t) => `  ${t.table.padEnd(22)} ${t.action} ${t.rows} rows`),
    `  person_key secret rotated at ${receipt.personKeySecret.rotatedAt}, the old one destroyed`,
    `  receipt written to the audit, signed (Ed25519): ${signed.signature}`,
  ];
}

export const SUNSET_COMMAND: Command = {
  name: 'sunset',
  summary: "end an epidemic's data: erase, anonymise, rotate the person_key secret, signed receipt",
  async run(args) {
    const { values } = parseCommandArgs({
      args,
      allowPositionals: false,
      options: {
        yes: { type: 'boolean', default: false },
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
    if (!values.yes) {
      process.stderr.write(['The sunset will, per store:', ...plannedLines(config), ''].join('\n'));
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      const typed = await prompt.question(`Type "${SUNSET_CONFIRMATION}" to go on: `).finally(() => prompt.close());
      if (typed.trim() !== SUNSET_CONFIRMATION) {
        process.stderr.write('truc sunset: not confirmed; nothing was done\n');
        return 1;
      }
    }
    const answer = await askApi<SignedReceipt>(config, apiBase(config, values.api), '/v1/sunset', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ confirm: SUNSET_CONFIRMATION }),
    });
    if (!answer.ok) {
      process.stderr.write(`truc sunset: the API answered ${answer.status}: ${answer.message}\n`);
      return 1;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    else for (const line of receiptLines(answer.body)) process.stdout.write(`${line}\n`);
    return 0;
  },
};
