/**
 * Webhook fan-out: four webhook subscriptions on one canonical topic, each POSTing signed batches
 * to its own local receiver (which checks every signature). Figures: events delivered per second
 * in total with a backlog, and the delivery latency (canonical record written → receiver got it)
 * at a steady 1,000 records/s. Every event carries its sequence number (journaled before it is
 * sent) and every subscription has heartbeats on, once a second when idle. Last, a backlog of
 * passages onto a topic subscription: events per second onto the agency topic. Every delivery is
 * written to the disclosure audit. Fan-out, receivers and producer share this process and machine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { startFanout } from '../../services/fanout/fanout.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { declaration, eventually, passage, startFanoutBench } from '../support/fanout.ts';
import { percentile, printFigure, withStack } from './support.ts';

const SUBSCRIPTIONS = 4;
const BACKLOG = Number(process.env.BENCH_RECORDS ?? 20_000);
const RATE = 1_000;
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 15);
const BATCH_SIZE = 100;
process.env.PERSON_KEY_SECRET ??= 'bench-only-person-key-secret-0123456789abcdef';

await withStack(async () => {
  const agency = `bench-${randomUUID().slice(0, 8)}`;
  const bench = await startFanoutBench({ [agency]: { kinds: 'all', provinces: 'all', tier: 'pseudonymous' } }, { LOG_LEVEL: 'warn' }, 6);
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receivers: DemoReceiver[] = [];
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const receiver = await startDemoReceiver(secret, 0, { keepRequests: false });
    receivers.push(receiver);
    const answer = await bench.call('POST', '/v1/subscriptions', bench.agencyKeys[agency]!, {
      kinds: ['health-declaration'],
      delivery: { type: 'webhook', url: receiver.url, secret, maxBatchSize: BATCH_SIZE, heartbeatSeconds: 1 },
    });
    if (answer.status !== 201) throw new Error(`subscription refused: ${JSON.stringify(answer.body)}`);
  }
  const fanout = await startFanout({ config: bench.config, logger: createLogger('bench-fanout', 'warn') });
  const people = Array.from({ length: 1_000 }, (_, i) => String(i).padStart(64, '0'));
  const delivered = () => receivers.reduce((sum, receiver) => sum + receiver.counts().uniqueEvents, 0);
  console.log(`webhook fan-out: ${SUBSCRIPTIONS} subscriptions, batches of up to ${BATCH_SIZE}, 6 partitions, pseudonymous projection, signed, receivers verify`);

  // Throughput: a backlog written at once, delivered to every subscription.
  const backlog = Array.from({ length: BACKLOG }, (_, i) => declaration({ person_key: people[i % people.length] }));
  const started = Date.now();
  for (let i = 0; i < backlog.length; i += 2_000) await bench.produce('health-declaration', backlog.slice(i, i + 2_000));
  await eventually(() => delivered() >= BACKLOG * SUBSCRIPTIONS, () => `${delivered()} of ${BACKLOG * SUBSCRIPTIONS} delivered`, 300_000);
  const seconds = (Date.now() - started) / 1000;
  printFigure('delivered, all subscriptions (backlog)', (BACKLOG * SUBSCRIPTIONS) / seconds, 'events/s', `${BACKLOG * SUBSCRIPTIONS} events in ${seconds.toFixed(1)} s`);

  // Latency at a steady rate: records carry their write time in received_at.
  const mark = receivers.map((receiver) => receiver.batches.length);
  const total = RATE * STEADY_SECONDS;
  const tick = 50;
  for (let sent = 0; sent < total; ) {
    const due = Date.now() + tick;
    const count = Math.min((RATE * tick) / 1000, total - sent);
    const now = Date.now();
    await bench.produce('health-declaration', Array.from({ length: count }, (_, i) => declaration({ received_at: now, person_key: people[(sent + i) % people.length] })));
    sent += count;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  await eventually(() => delivered() >= (BACKLOG + total) * SUBSCRIPTIONS, () => `${delivered()} delivered`, 120_000);
  const latencies: number[] = [];
  receivers.forEach((receiver, r) => {
    for (const batch of receiver.batches.slice(mark[r])) {
      for (const event of batch.events) latencies.push(batch.receivedAt - Number((event.data as { received_at: number }).received_at));
    }
  });
  latencies.sort((a, b) => a - b);
  printFigure(`latency p50 at ${RATE} records/s (x${SUBSCRIPTIONS} subscriptions)`, percentile(latencies, 50), 'ms');
  printFigure(`latency p99 at ${RATE} records/s (x${SUBSCRIPTIONS} subscriptions)`, percentile(latencies, 99), 'ms');
  printFigure('latency max', latencies[latencies.length - 1] ?? Number.NaN, 'ms');
  const bad = receivers.reduce((sum, receiver) => sum + receiver.counts().badSignatures, 0);
  printFigure('bad signatures', bad, '');
  const numbered = receivers.map((receiver) => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.seq))));
  const contiguous = numbered.filter((seqs) => seqs.size === BACKLOG + total && [...seqs].every((seq) => seq >= 1 && seq <= BACKLOG + total));
  printFigure('subscriptions numbered 1..N without a hole', contiguous.length, `of ${SUBSCRIPTIONS}`);
  printFigure('heartbeats received (idle moments, 1 s interval)', receivers.reduce((sum, receiver) => sum + receiver.heartbeats.length, 0), '');

  // Agency-topic delivery: a backlog of another kind (the webhooks above do not take it) onto a
  // topic subscription (records, sequence journal and offsets in one transaction per batch).
  const topicSubscription = await bench.call('POST', '/v1/subscriptions', bench.agencyKeys[agency]!, { kinds: ['checkpoint-passage'], delivery: { type: 'topic' } });
  if (topicSubscription.status !== 201) throw new Error(`subscription refused: ${JSON.stringify(topicSubscription.body)}`);
  const topicStatus = async () => (await bench.call('GET', `/v1/subscriptions/${topicSubscription.body.id}/status`, bench.agencyKeys[agency]!)).body?.status;
  await eventually(async () => (await topicStatus())?.state === 'delivering', () => 'topic subscription not delivering yet', 60_000);
  const passages = Array.from({ length: BACKLOG }, (_, i) => passage({ person_key: people[i % people.length] }));
  const topicStarted = Date.now();
  for (let i = 0; i < passages.length; i += 2_000) await bench.produce('checkpoint-passage', passages.slice(i, i + 2_000));
  let topicDelivered = 0;
  await eventually(async () => (topicDelivered = Number((await topicStatus())?.delivered ?? 0)) >= BACKLOG, () => `${topicDelivered} of ${BACKLOG} on the agency topic`, 300_000);
  const topicSeconds = (Date.now() - topicStarted) / 1000;
  printFigure('delivered to an agency topic (backlog)', BACKLOG / topicSeconds, 'events/s', `${BACKLOG} events in ${topicSeconds.toFixed(1)} s`);

  await fanout.close();
  for (const receiver of receivers) await receiver.close();
  await bench.close();
});
