/**
 * The `http-poll` connector type: a feed of the hotline-1022 contract (README.md here) whose items
 * are records of one (source, kind). The URL is chosen through the API, so it gets the guard
 * webhooks have against reaching into Truc's own network: https, and a public address, unless its
 * host is on POLL_CONNECTOR_ALLOW_HOSTS (or is POLL_CONNECTOR_URL's host, which the deployment chose).
 */
import { rawTopic, type Kind } from '../../services/platform/catalog.ts';
import { webhookHostProblem, webhookUrlProblem } from '../../services/platform/webhook-target.ts';
import type { FieldSpec } from '../runtime/config-spec.ts';
import { kindProblems, sourceField, type ConnectorType } from '../runtime/connector-type.ts';
import { FEED_PARTITION, PollConnector } from './poll-connector.ts';

export interface PollTypeSettings {
  /** Hosts a feed may be on although private or loopback, and over plain http. */
  allowHosts: readonly string[];
}

const ALLOW_HOSTS_SETTING = 'POLL_CONNECTOR_ALLOW_HOSTS';
const NOT_ALLOWED = `the feed's host is not an allowed destination: it must resolve, and only to public addresses (private, loopback, link-local and other internal ranges need ${ALLOW_HOSTS_SETTING})`;

async function urlProblems(url: string, allowHosts: readonly string[]): Promise<string[]> {
  const problem = webhookUrlProblem(url, allowHosts, ALLOW_HOSTS_SETTING);
  if (problem !== null) return [problem.replace("the webhook URL's host", "the feed's host")];
  return (await webhookHostProblem(url, allowHosts)) === null ? [] : [NOT_ALLOWED];
}

export function pollConnectorType(settings: PollTypeSettings): ConnectorType {
  const fields: FieldSpec[] = [
    sourceField('The source system the feed belongs to (a source of the catalogue).'),
    { name: 'kind', type: 'string', doc: "The kind of the feed's items (one the source publishes).", check: (value, config) => kindProblems(config.source, String(value)) },
    {
      name: 'url',
      type: 'string',
      doc: `The feed: GET <url>?since=<cursor>&limit=<pageSize>. https, on a public address (or a host on ${ALLOW_HOSTS_SETTING}, which also admits http).`,
      check: (value) => urlProblems(String(value), settings.allowHosts),
    },
    { name: 'token', type: 'password', default: null, doc: 'Bearer token Truc presents to the feed; never shown in answers.' },
    { name: 'intervalMs', type: 'int', default: 2_000, min: 50, max: 3_600_000, doc: 'Wait before asking again when the feed is caught up (ms).' },
    { name: 'pageSize', type: 'int', default: 500, min: 1, max: 10_000, doc: "The `limit` of each request; one page is one Kafka transaction." },
    { name: 'timeoutMs', type: 'int', default: 10_000, min: 100, max: 600_000, doc: 'Time a request may take, body included (ms).' },
  ];
  return {
    name: 'http-poll',
    doc: "Pages through a feed's items (GET ?since=<cursor>&limit=<n> answered by {items, next_cursor}); the cursor is its offset.",
    fields,
    create(_name, config) {
      return new PollConnector({
        url: config.url as string,
        token: config.token as string | null,
        intervalMs: config.intervalMs as number,
        pageSize: config.pageSize as number,
        timeoutMs: config.timeoutMs as number,
        topic: rawTopic(config.source as string, config.kind as Kind),
      });
    },
    offsetProblem(partition, offset) {
      if (partition !== FEED_PARTITION) return `a feed has one partition, "${FEED_PARTITION}", not ${JSON.stringify(partition)}`;
      const { cursor } = offset as { cursor?: unknown };
      return typeof cursor === 'string' && cursor !== '' && Object.keys(offset).length === 1 ? null : 'offset must be {"cursor": "<the since of the next request>"}';
    },
  };
}
