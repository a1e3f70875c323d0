/**
 * The local stack's cluster settings (KAFKA_LOCAL_BROKERS=3) without starting anything: the
 * addresses, ports and folders of each broker, the topics' replication, and what is refused.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localNodes, agencyBootstrap } from '../../infra/stack/kafka-broker.ts';
import { ConfigError, loadConfig } from '../../services/platform/config.ts';
import { topicConfig } from '../../services/platform/topics.ts';

describe('a local cluster of three brokers', () => {
  it('gives each broker its address, controller and agency ports a hundred apart, and a folder of its own', () => {
    const config = loadConfig({ KAFKA_LOCAL_BROKERS: '3', TRUC_DATA_DIR: '/data/truc' });
    expect(localNodes(config).map(({ id, client, controllerPort, agencyPort, home, process }) => [id, client.port, controllerPort, agencyPort, home, process.pidFile])).toEqual([
      [1, 9092, 9093, 9094, '/data/truc/kafka', '/data/truc/run/kafka.pid'],
      [2, 9192, 9193, 9194, path.join('/data/truc/kafka', 'node-2'), '/data/truc/run/kafka-2.pid'],
      [3, 9292, 9293, 9294, path.join('/data/truc/kafka', 'node-3'), '/data/truc/run/kafka-3.pid'],
    ]);
    expect(agencyBootstrap(config)).toBe('127.0.0.1:9094,127.0.0.1:9194,127.0.0.1:9294');
  });

  it('replicates topics three times with two in sync, and says so in each topic it makes', () => {
    const config = loadConfig({ KAFKA_LOCAL_BROKERS: '3' });
    expect(config.topics).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    const topic = topicConfig({ name: 'canonical.health-declaration', retentionMs: 1000 }, config.topics);
    expect(topic.replicationFactor).toBe(3);
    expect(topic.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    // One broker, as before: one replica, one in sync.
    expect(loadConfig({}).topics).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it('refuses a quorum it cannot run, addresses that are not one per broker, and writes that could never be acknowledged', () => {
    expect(() => loadConfig({ KAFKA_LOCAL_BROKERS: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ KAFKA_LOCAL_BROKERS: '2' })).toThrow(/KAFKA_LOCAL_BROKERS="2" must be one of 1, 3/);
    expect(() => loadConfig({ TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '4' })).toThrow(/TOPIC_MIN_INSYNC_REPLICAS=4 must not exceed TOPIC_REPLICATION_FACTOR=3/);
    expect(() => localNodes(loadConfig({ KAFKA_LOCAL_BROKERS: '3', KAFKA_BROKERS: '127.0.0.1:9092' }))).toThrow(/is not 3 loopback address/);
    expect(() => localNodes(loadConfig({ KAFKA_BROKERS: '10.0.0.5:9092' }))).toThrow(/loopback/);
  });
});
