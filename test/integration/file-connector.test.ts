import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPullConnectors, type PullConnectors } from '../../connectors/main.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicUntil, testKafka, uniqueName } from '../support/kafka.ts';
import { waitFor } from '../support/wait-for.ts';

const CHECKPOINT_FIELDS = [
  'ma_chot', 'ten_chot', 'loai_chot', 'tinh_tp', 'quan_huyen', 'tuyen_duong', 'ly_trinh', 'cap_quan_ly', 'don_vi_quan_ly',
  'trang_thai', 'vi_do', 'kinh_do', 'ma_qr_dia_diem', 'hieu_luc_tu', 'hieu_luc_den', 'ngay_cap_nhat', 'ghi_chu',
] as const;

/** Columns in another order than the schema's: the header, not the position, names each column. */
const HEADER_ROW =
  'Mã chốt,Ghi chú,Tên chốt,Loại chốt,Tỉnh/TP,Quận/Huyện,Tuyến đường,Lý trình (Km),Cấp quản lý,Đơn vị quản lý,Trạng thái,Vĩ độ,Kinh độ,Mã QR địa điểm,Hiệu lực từ,Hiệu lực đến,Ngày cập nhật';

function checkpoint(values: Partial<Record<(typeof CHECKPOINT_FIELDS)[number], string>>): Record<string, string | null> {
  return Object.fromEntries(CHECKPOINT_FIELDS.map((field) => [field, values[field] ?? null]));
}

function passage(tag: string, n: number): Record<string, unknown> {
  return {
    ...rawExample('checkpoint-ops', 'checkpoint-passage'),
    checkpointCode: `${tag}-BD-QL13-01`,
    readerId: `${tag}-reader-${n}`,
    direction: n % 2 === 0 ? 'IN' : 'OUT',
    readTime: `2021-08-14 06:58:${String(n).padStart(2, '0')}`,
  };
}

describe('file connector: checkpoint-ops files from a drop folder', () => {
  const name = uniqueName('test-file');
  const tag = name.toUpperCase();
  const kafka = testKafka();
  const serde = createAvroSerde(loadConfig().schemaRegistry);
  let dropDir: string;
  let running: PullConnectors;

  /** Writes under a temporary name and renames into place, as the drop folder asks of writers. */
  async function drop(file: string, content: string | Buffer): Promise<void> {
    await writeFile(path.join(dropDir, `${file}.part`), content);
    await rename(path.join(dropDir, `${file}.part`), path.join(dropDir, file));
  }

  const readReport = async (file: string) => JSON.parse(await readFile(path.join(dropDir, 'done', `${file}.report.json`), 'utf8'));
  /** This connector's records on `topic`, once `count` are visible (and any repeat committed before them). */
  const ours = (topic: string, count: number) =>
    readTopicUntil(kafka, topic, count, { keep: (message) => headerString(message.headers, HEADER.connector) === name });

  beforeAll(async () => {
    dropDir = await mkdtemp(path.join(tmpdir(), 'truc-drop-'));
    const config = loadConfig({ ...process.env, FILE_CONNECTOR_DIR: dropDir, FILE_CONNECTOR_NAME: name, FILE_CONNECTOR_POLL_MS: '100', CONNECT_CONFIG_TOPIC: `test-connect-configs-${name}` });
    running = await startPullConnectors(config, createLogger('test', 'silent'));
  });

  afterAll(async () => {
    await running?.close();
    await rm(dropDir, { recursive: true, force: true });
  });

  const registryRows = [
    // Line 2-3: a quoted name with a comma; remarks with doubled quotes and a line break.
    checkpoint({
      ma_chot: `${tag}-01`, ghi_chu: 'Phối hợp "liên tỉnh"\r\nvới TP HCM', ten_chot: 'Chốt kiểm soát cầu Vĩnh Bình, QL13', loai_chot: 'Đường bộ',
      tinh_tp: 'Bình Dương', quan_huyen: 'TP Thuận An', tuyen_duong: 'QL13', ly_trinh: 'Km 16+200', cap_quan_ly: 'Tỉnh',
      don_vi_quan_ly: 'Công an tỉnh Bình Dương', trang_thai: 'Đang hoạt động', vi_do: '10,8842', kinh_do: '106.7113',
      ma_qr_dia_diem: 'LQ-74-999001', hieu_luc_tu: '19/07/2021', ngay_cap_nhat: '13/08/2021 17:30',
    }),
    // Line 4: empty cells arrive as null.
    checkpoint({ ma_chot: `${tag}-02`, ten_chot: 'Chốt Sân bay Tân Sơn Nhất', loai_chot: 'Cảng hàng không', tinh_tp: 'TP HCM' }),
    // Line 7 (after two bad lines).
    checkpoint({ ma_chot: `${tag}-03`, ten_chot: 'Chốt Cửa khẩu Mộc Bài', loai_chot: 'Cửa khẩu', tinh_tp: 'Tây Ninh', trang_thai: 'Tạm dừng' }),
  ];
  const csvCell = (value: string | null) => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const csvRow = (row: Record<string, string | null>) =>
    ['ma_chot', 'ghi_chu', ...CHECKPOINT_FIELDS.filter((f) => f !== 'ma_chot' && f !== 'ghi_chu')].map((f) => csvCell(row[f]!)).join(',');
  const badColumnCount = `${tag}-BAD,only three,fields`;
  const missingId = csvRow({ ...checkpoint({ ten_chot: 'Không có mã', loai_chot: 'Đường bộ', tinh_tp: 'Hà Nội' }) });
  const csv = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from([HEADER_ROW, csvRow(registryRows[0]!), csvRow(registryRows[1]!), badColumnCount, missingId, csvRow(registryRows[2]!)].join('\r\n') + '\r\n'),
  ]);
  const passages = [passage(tag, 1), passage(tag, 2), passage(tag, 3)];
  const ndjson = [JSON.stringify(passages[0]), '', JSON.stringify(passages[1]), '{"checkpointCode": broken', JSON.stringify(passages[2])].join('\n') + '\n';
  const jsonArray = JSON.stringify([passage(tag, 4), passage(tag, 5)]);

  it('publishes every good line to its raw topic, dead-letters the bad ones with file and line, and moves the files to done/ with a report', async () => {
    await drop('registry.csv', csv);
    await drop('gate-1.ndjson', ndjson);
    await drop('gate-2.json', jsonArray);
    await writeFile(path.join(dropDir, 'gate-3.ndjson.part'), JSON.stringify(passage(tag, 9)));
    await waitFor(() => ['registry.csv', 'gate-1.ndjson', 'gate-2.json'].every((f) => existsSync(path.join(dropDir, 'done', `${f}.report.json`))), 'the reports');

    expect(await readdir(dropDir)).toEqual(expect.arrayContaining(['done', 'gate-3.ndjson.part']));
    expect(await readdir(dropDir)).toHaveLength(2);
    expect((await readdir(path.join(dropDir, 'done'))).sort()).toEqual(
      ['gate-1.ndjson', 'gate-1.ndjson.report.json', 'gate-2.json', 'gate-2.json.report.json', 'registry.csv', 'registry.csv.report.json'],
    );
    expect(await readReport('registry.csv')).toMatchObject({ file: 'registry.csv', connector: name, lines_read: 5, published: 3, rejected: 2 });
    expect(await readReport('gate-1.ndjson')).toMatchObject({ lines_read: 4, published: 3, rejected: 1 });
    const report = await readReport('gate-2.json');
    expect(report).toMatchObject({ lines_read: 2, published: 2, rejected: 0, topic: 'raw.checkpoint-ops.checkpoint-passage' });
    expect(Date.parse(report.finished_at)).toBeGreaterThanOrEqual(Date.parse(report.started_at));

    const checkpoints = await ours('raw.checkpoint-ops.checkpoint', registryRows.length);
    const decoded = await Promise.all(checkpoints.map(({ message }) => serde.decode(message.value!)));
    expect(decoded.sort((a, b) => String(a.ma_chot).localeCompare(String(b.ma_chot)))).toEqual(registryRows);

    const passagesOut = await ours('raw.checkpoint-ops.checkpoint-passage', 5);
    const decodedPassages = await Promise.all(passagesOut.map(({ message }) => serde.decode(message.value!)));
    expect(decodedPassages.sort((a, b) => String(a.readerId).localeCompare(String(b.readerId)))).toEqual([...passages, passage(tag, 4), passage(tag, 5)]);

    const deadLetters = await ours('dlq.ingest', 3);
    const byPosition = new Map(deadLetters.map(({ message }) => [headerString(message.headers, HEADER.dlqPosition), message]));
    expect([...byPosition.keys()].sort()).toEqual(['gate-1.ndjson:4', 'registry.csv:5', 'registry.csv:6']);
    const columnCount = byPosition.get('registry.csv:5')!;
    expect(columnCount.value!.toString()).toBe(badColumnCount);
    expect(headerString(columnCount.headers, HEADER.dlqErrorClass)).toBe('CsvRowError');
    expect(headerString(columnCount.headers, HEADER.dlqReason)).toMatch(/3 fields, the header 17/);
    expect(headerString(columnCount.headers, HEADER.dlqStage)).toBe('ingest');
    expect(headerString(columnCount.headers, HEADER.dlqSource)).toBe('checkpoint-ops');
    expect(headerString(columnCount.headers, HEADER.dlqKind)).toBe('checkpoint');
    const noId = byPosition.get('registry.csv:6')!;
    expect(noId.value!.toString()).toBe(missingId);
    expect(headerString(noId.headers, HEADER.dlqErrorClass)).toBe('SchemaValidationError');
    expect(headerString(noId.headers, HEADER.dlqReason)).toMatch(/^ma_chot: /);
    const brokenJson = byPosition.get('gate-1.ndjson:4')!;
    expect(brokenJson.value!.toString()).toBe('{"checkpointCode": broken');
    expect(headerString(brokenJson.headers, HEADER.dlqErrorClass)).toBe('JsonSyntaxError');
    expect(headerString(brokenJson.headers, HEADER.dlqKind)).toBe('checkpoint-passage');

    const status = running.connectors[0]!.status();
    expect(status).toMatchObject({ name, type: 'file', state: 'RUNNING', records: 8, rejected: 3, errors: 0 });
  });

  it('reads a later file of the same name as a new file, and keeps both in done/', async () => {
    const again = checkpoint({ ma_chot: `${tag}-04`, ten_chot: 'Chốt mới', loai_chot: 'Đường bộ', tinh_tp: 'Bình Dương' });
    await drop('registry.csv', [HEADER_ROW, csvRow(again)].join('\n'));
    await waitFor(async () => (await readdir(path.join(dropDir, 'done'))).filter((f) => f.startsWith('registry.')).length === 4, 'the second registry.csv');

    const done = await readdir(path.join(dropDir, 'done'));
    const stamped = done.find((f) => /^registry\.\d{8}T\d{9}Z\.csv$/.test(f));
    expect(stamped).toBeDefined();
    expect(JSON.parse(await readFile(path.join(dropDir, 'done', `${stamped}.report.json`), 'utf8'))).toMatchObject({ lines_read: 1, published: 1 });
    const checkpoints = await ours('raw.checkpoint-ops.checkpoint', 4);
    const ids = await Promise.all(checkpoints.map(async ({ message }) => (await serde.decode(message.value!)).ma_chot));
    expect(ids.sort()).toEqual([`${tag}-01`, `${tag}-02`, `${tag}-03`, `${tag}-04`]);
  });

  it('pauses (nothing more is read) and resumes', async () => {
    const connector = running.connectors[0]!;
    await connector.pause();
    expect(connector.status().state).toBe('PAUSED');
    await drop('gate-4.ndjson', JSON.stringify(passage(tag, 10)));
    await sleep(400);
    expect(existsSync(path.join(dropDir, 'gate-4.ndjson'))).toBe(true);
    await connector.resume();
    await waitFor(() => existsSync(path.join(dropDir, 'done', 'gate-4.ndjson.report.json')), 'gate-4 after resume');
    expect(connector.status().state).toBe('RUNNING');
  });
});
