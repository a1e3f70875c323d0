/** What the cluster tests ask of a cluster's partitions: who leads most, and whether all replicas are in sync. */
import type { Kafka } from 'kafkajs';

async function partitions(kafka: Kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicMetadata()).topics.flatMap((topic) => topic.partitions);
  } finally {
    await admin.disconnect();
  }
}

/** The broker that leads most partitions now. */
export async function busiestBroker(kafka: Kafka): Promise<number> {
  const counts = new Map<number, number>();
  for (const { leader } of await partitions(kafka)) counts.set(leader, (counts.get(leader) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

/** Every partition has all its replicas in sync. */
export async function allInSync(kafka: Kafka, replicas = 3): Promise<boolean> {
  return (await partitions(kafka)).every((partition) => partition.isr.length === replicas);
}
