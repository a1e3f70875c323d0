/**
 * A small registry of quarantine checkpoints as provinces set them up in summer 2021: road
 * checkpoints on the national highways at province borders, airports, sea and river ports,
 * border gates and railway stations. Written for this generator; positions are approximate.
 */
import type { CheckpointStatus, CheckpointType, ManagingLevel } from '../../schemas/kinds/canonical-values.ts';
import { DAY_MS } from '../source-vocabulary/local-time.ts';
import { localMidnight } from './local-time.ts';

export interface RegisteredCheckpoint {
  /** The registry's "Mã chốt". */
  code: string;
  name: string;
  type: CheckpointType;
  provinceCode: string;
  district: string | null;
  road: string | null;
  kmMarker: string | null;
  level: ManagingLevel;
  agency: string;
  latitude: number;
  longitude: number;
  /** Id of the PC-Covid location QR posted there; null where none was posted. */
  locationQrId: string | null;
  /** Start of operation, local time: [year, month, day, hour]. */
  validFrom: readonly [number, number, number, number];
  note: string | null;
}

type Row = [
  code: string, name: string, type: CheckpointType, provinceCode: string, district: string | null,
  road: string | null, kmMarker: string | null, level: ManagingLevel, agency: string,
  latitude: number, longitude: number, locationQrId: string | null, validFrom: string, note: string | null,
];

const ROWS: readonly Row[] = [
  ['HN-QL1A-01', 'Chốt Km 213 QL1A, Phú Xuyên', 'ROAD', '01', 'Huyện Phú Xuyên', 'QL1A', 'Km 213', 'PROVINCIAL', 'Công an thành phố Hà Nội', 20.7312, 105.9104, 'LQ-01-000213', '2021-07-24 18', 'Giáp ranh tỉnh Hà Nam'],
  ['HN-CT-01', 'Chốt trạm thu phí Pháp Vân - Cầu Giẽ', 'ROAD', '01', 'Huyện Thanh Trì', 'cao tốc Pháp Vân - Cầu Giẽ', 'Km 182+300', 'PROVINCIAL', 'Công an thành phố Hà Nội', 20.9287, 105.8471, 'LQ-01-000182', '2021-07-24 18', null],
  ['HN-QL5-01', 'Chốt kiểm soát QL5, Gia Lâm', 'ROAD', '01', 'Huyện Gia Lâm', 'QL5', 'Km 12+500', 'PROVINCIAL', 'Công an thành phố Hà Nội', 21.0093, 105.9817, 'LQ-01-000512', '2021-07-24 18', 'Giáp ranh tỉnh Hưng Yên'],
  ['HN-NB-01', 'Chốt kiểm soát Cảng hàng không quốc tế Nội Bài', 'AIRPORT', '01', 'Huyện Sóc Sơn', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Bắc', 21.2187, 105.8042, 'LQ-01-001001', '2021-05-10 0', null],
  ['HN-GHN-01', 'Chốt kiểm soát Ga Hà Nội', 'RAIL_STATION', '01', 'Quận Đống Đa', null, null, 'PROVINCIAL', 'Sở Y tế Hà Nội', 21.0245, 105.8412, 'LQ-01-001120', '2021-07-24 0', null],
  ['HCM-QL1A-01', 'Chốt kiểm soát QL1A giáp Long An', 'ROAD', '79', 'Huyện Bình Chánh', 'QL1A', 'Km 1924', 'PROVINCIAL', 'Công an TP Hồ Chí Minh', 10.6863, 106.5712, 'LQ-79-000119', '2021-07-09 0', 'Cửa ngõ phía Tây'],
  ['HCM-XLHN-01', 'Chốt kiểm soát cầu Đồng Nai', 'ROAD', '79', 'TP Thủ Đức', 'Xa lộ Hà Nội', 'Km 1873+800', 'PROVINCIAL', 'Công an TP Hồ Chí Minh', 10.9036, 106.8295, 'LQ-79-000120', '2021-07-09 0', 'Cửa ngõ phía Đông'],
  ['HCM-QL22-01', 'Chốt kiểm soát QL22, Củ Chi', 'ROAD', '79', 'Huyện Củ Chi', 'QL22', 'Km 24', 'PROVINCIAL', 'Công an TP Hồ Chí Minh', 10.9918, 106.5034, 'LQ-79-000121', '2021-07-09 0', 'Giáp ranh tỉnh Tây Ninh'],
  ['HCM-CT-01', 'Chốt cao tốc TP HCM - Trung Lương', 'ROAD', '79', 'Huyện Bình Chánh', 'cao tốc TP HCM - Trung Lương', 'Km 4+500', 'PROVINCIAL', 'Công an TP Hồ Chí Minh', 10.7012, 106.6021, 'LQ-79-000122', '2021-07-09 0', null],
  ['HCM-TSN-01', 'Chốt kiểm soát Cảng hàng không quốc tế Tân Sơn Nhất', 'AIRPORT', '79', 'Quận Tân Bình', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Nam', 10.8188, 106.6519, 'LQ-79-001001', '2021-05-20 0', null],
  ['HCM-GSG-01', 'Chốt kiểm soát Ga Sài Gòn', 'RAIL_STATION', '79', 'Quận 3', null, null, 'PROVINCIAL', 'Sở Y tế TP Hồ Chí Minh', 10.7823, 106.6777, 'LQ-79-001120', '2021-07-09 0', 'Tạm dừng khi tàu ngừng chạy'],
  ['BD-QL13-01', 'Chốt kiểm soát cầu Vĩnh Bình', 'ROAD', '74', 'TP Thuận An', 'QL13', 'Km 16+200', 'PROVINCIAL', 'Công an tỉnh Bình Dương', 10.8842, 106.7113, 'LQ-74-001203', '2021-07-19 0', 'Phối hợp với TP HCM kiểm soát chiều vào'],
  ['BD-DT743-01', 'Chốt ĐT743 giáp ranh TP Dĩ An', 'ROAD', '74', 'TP Dĩ An', 'ĐT743', 'Km 3+100', 'DISTRICT', 'Công an TP Dĩ An', 10.9027, 106.7689, 'LQ-74-001204', '2021-07-19 0', null],
  ['DNI-QL1A-01', 'Chốt Km 1862 QL1A, Trảng Bom', 'ROAD', '75', 'Huyện Trảng Bom', 'QL1A', 'Km 1862+500', 'PROVINCIAL', 'Công an tỉnh Đồng Nai', 10.9512, 107.0034, 'LQ-75-000186', '2021-07-15 0', null],
  ['DNI-QL51-01', 'Chốt QL51, Long Thành', 'ROAD', '75', 'Huyện Long Thành', 'QL51', 'Km 14', 'PROVINCIAL', 'Công an tỉnh Đồng Nai', 10.7806, 106.9523, 'LQ-75-000051', '2021-07-15 0', 'Giáp ranh Bà Rịa - Vũng Tàu'],
  ['LA-QL1A-01', 'Chốt Km 1927 QL1A, Bến Lức', 'ROAD', '80', 'Huyện Bến Lức', 'QL1A', 'Km 1927', 'PROVINCIAL', 'Công an tỉnh Long An', 10.6398, 106.4925, 'LQ-80-000192', '2021-07-09 0', null],
  ['DNG-SB-01', 'Chốt kiểm soát Sân bay quốc tế Đà Nẵng', 'AIRPORT', '48', 'Quận Hải Châu', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Trung', 16.0439, 108.1993, 'LQ-48-001001', '2021-05-05 0', null],
  ['DNG-HV-01', 'Chốt hầm Hải Vân', 'ROAD', '48', 'Quận Liên Chiểu', 'QL1A', 'Km 905', 'PROVINCIAL', 'Công an thành phố Đà Nẵng', 16.1903, 108.1287, 'LQ-48-000905', '2021-07-31 12', 'Giáp ranh Thừa Thiên Huế'],
  ['DNG-GA-01', 'Chốt kiểm soát Ga Đà Nẵng', 'RAIL_STATION', '48', 'Quận Thanh Khê', null, null, 'PROVINCIAL', 'Sở Y tế thành phố Đà Nẵng', 16.0717, 108.2093, 'LQ-48-001120', '2021-07-31 12', null],
  ['HP-CT-01', 'Chốt trạm thu phí cao tốc Hà Nội - Hải Phòng', 'ROAD', '31', 'Quận Hải An', 'cao tốc Hà Nội - Hải Phòng', 'Km 93', 'PROVINCIAL', 'Công an thành phố Hải Phòng', 20.8476, 106.6988, 'LQ-31-000093', '2021-07-20 0', null],
  ['HP-CHD-01', 'Chốt Cảng Hoàng Diệu', 'SEAPORT', '31', 'Quận Hồng Bàng', null, null, 'NATIONAL', 'Cảng vụ hàng hải Hải Phòng', 20.8651, 106.6802, 'LQ-31-001300', '2021-06-01 0', null],
  ['QN-MC-01', 'Chốt Cửa khẩu quốc tế Móng Cái', 'BORDER_GATE', '22', 'TP Móng Cái', null, null, 'NATIONAL', 'Bộ đội Biên phòng tỉnh Quảng Ninh', 21.5303, 107.9672, 'LQ-22-001400', '2021-05-01 0', 'Cầu Bắc Luân II'],
  ['QN-QL18-01', 'Chốt kiểm soát QL18, Đông Triều', 'ROAD', '22', 'TX Đông Triều', 'QL18', 'Km 37', 'PROVINCIAL', 'Công an tỉnh Quảng Ninh', 21.0788, 106.5211, 'LQ-22-000018', '2021-07-20 0', null],
  ['LS-HN-01', 'Chốt Cửa khẩu quốc tế Hữu Nghị', 'BORDER_GATE', '20', 'Huyện Cao Lộc', 'QL1A', 'Km 0', 'NATIONAL', 'Bộ đội Biên phòng tỉnh Lạng Sơn', 21.9619, 106.7031, 'LQ-20-001400', '2021-05-01 0', null],
  ['LS-QL1A-01', 'Chốt Km 96 QL1A, Chi Lăng', 'ROAD', '20', 'Huyện Chi Lăng', 'QL1A', 'Km 96', 'PROVINCIAL', 'Công an tỉnh Lạng Sơn', 21.6621, 106.6187, 'LQ-20-000096', '2021-07-25 0', null],
  ['LC-CK-01', 'Chốt Cửa khẩu quốc tế Lào Cai', 'BORDER_GATE', '10', 'TP Lào Cai', null, null, 'NATIONAL', 'Bộ đội Biên phòng tỉnh Lào Cai', 22.5061, 103.9688, 'LQ-10-001400', '2021-05-01 0', null],
  ['NA-QL1A-01', 'Chốt Km 367 QL1A, Quỳnh Lưu', 'ROAD', '40', 'Huyện Quỳnh Lưu', 'QL1A', 'Km 367', 'PROVINCIAL', 'Công an tỉnh Nghệ An', 19.2083, 105.6541, 'LQ-40-000367', '2021-07-26 0', 'Giáp ranh Thanh Hóa'],
  ['NA-SB-01', 'Chốt Cảng hàng không quốc tế Vinh', 'AIRPORT', '40', 'TP Vinh', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Bắc', 18.7372, 105.6707, 'LQ-40-001001', '2021-05-10 0', null],
  ['NA-GA-01', 'Chốt kiểm soát Ga Vinh', 'RAIL_STATION', '40', 'TP Vinh', null, null, 'PROVINCIAL', 'Sở Y tế tỉnh Nghệ An', 18.6854, 105.6702, 'LQ-40-001120', '2021-07-26 0', null],
  ['TH-QL1A-01', 'Chốt Km 284 QL1A, Bỉm Sơn', 'ROAD', '38', 'TX Bỉm Sơn', 'QL1A', 'Km 284', 'PROVINCIAL', 'Công an tỉnh Thanh Hóa', 20.0841, 105.8612, 'LQ-38-000284', '2021-07-26 0', 'Giáp ranh Ninh Bình'],
  ['TH-SB-01', 'Chốt Cảng hàng không Thọ Xuân', 'AIRPORT', '38', 'Huyện Thọ Xuân', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Bắc', 19.9017, 105.4681, 'LQ-38-001001', '2021-05-10 0', null],
  ['KH-CR-01', 'Chốt Cảng hàng không quốc tế Cam Ranh', 'AIRPORT', '56', 'TP Cam Ranh', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Nam', 11.9982, 109.2193, 'LQ-56-001001', '2021-05-20 0', null],
  ['KH-QL1A-01', 'Chốt kiểm soát QL1A, hầm Đèo Cả', 'ROAD', '56', 'Huyện Vạn Ninh', 'QL1A', 'Km 1353', 'PROVINCIAL', 'Công an tỉnh Khánh Hòa', 12.8612, 109.3587, 'LQ-56-000135', '2021-07-19 0', 'Giáp ranh Phú Yên'],
  ['CT-CCT-01', 'Chốt kiểm soát cầu Cần Thơ', 'ROAD', '92', 'Quận Cái Răng', 'QL1A', 'Km 2062', 'PROVINCIAL', 'Công an thành phố Cần Thơ', 10.0336, 105.7829, 'LQ-92-000206', '2021-07-19 0', 'Giáp ranh Vĩnh Long'],
  ['KG-BV-01', 'Chốt Cảng Bãi Vòng', 'SEAPORT', '91', 'TP Phú Quốc', null, null, 'PROVINCIAL', 'Sở Y tế tỉnh Kiên Giang', 10.1603, 104.0312, 'LQ-91-001300', '2021-07-19 0', null],
  ['KG-RG-01', 'Chốt Bến tàu khách Rạch Giá', 'SEAPORT', '91', 'TP Rạch Giá', null, null, 'PROVINCIAL', 'Sở Y tế tỉnh Kiên Giang', 10.0121, 105.0786, 'LQ-91-001301', '2021-07-19 0', null],
  ['AG-TB-01', 'Chốt Cửa khẩu quốc tế Tịnh Biên', 'BORDER_GATE', '89', 'TX Tịnh Biên', null, null, 'NATIONAL', 'Bộ đội Biên phòng tỉnh An Giang', 10.5779, 104.9514, 'LQ-89-001400', '2021-05-01 0', null],
  ['TN-MB-01', 'Chốt Cửa khẩu quốc tế Mộc Bài', 'BORDER_GATE', '72', 'Huyện Bến Cầu', 'QL22', null, 'NATIONAL', 'Bộ đội Biên phòng tỉnh Tây Ninh', 11.0794, 106.1382, 'LQ-72-001400', '2021-05-01 0', null],
  ['BG-QL1A-01', 'Chốt Km 113 QL1A, Lạng Giang', 'ROAD', '24', 'Huyện Lạng Giang', 'QL1A', 'Km 113', 'PROVINCIAL', 'Công an tỉnh Bắc Giang', 21.3694, 106.2511, 'LQ-24-000113', '2021-05-18 0', null],
  ['BN-QL18-01', 'Chốt kiểm soát QL18, Quế Võ', 'ROAD', '27', 'TX Quế Võ', 'QL18', 'Km 9+200', 'DISTRICT', 'Công an thị xã Quế Võ', 21.1452, 106.1573, 'LQ-27-000018', '2021-05-18 0', null],
  ['TTH-PB-01', 'Chốt Cảng hàng không quốc tế Phú Bài', 'AIRPORT', '46', 'TX Hương Thủy', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Trung', 16.4015, 107.7026, 'LQ-46-001001', '2021-05-10 0', null],
  ['TTH-GA-01', 'Chốt kiểm soát Ga Huế', 'RAIL_STATION', '46', 'TP Huế', null, null, 'PROVINCIAL', 'Sở Y tế tỉnh Thừa Thiên Huế', 16.4562, 107.5781, 'LQ-46-001120', '2021-07-20 0', null],
  ['BRVT-CM-01', 'Chốt Cảng Cái Mép', 'SEAPORT', '77', 'TX Phú Mỹ', null, null, 'NATIONAL', 'Cảng vụ hàng hải Vũng Tàu', 10.5412, 107.0268, 'LQ-77-001300', '2021-06-01 0', null],
  ['BRVT-QL51-01', 'Chốt QL51 giáp Đồng Nai', 'ROAD', '77', 'TX Phú Mỹ', 'QL51', 'Km 29+500', 'PROVINCIAL', 'Công an tỉnh Bà Rịa - Vũng Tàu', 10.6325, 107.0473, 'LQ-77-000051', '2021-07-15 0', null],
  ['LD-LK-01', 'Chốt Cảng hàng không Liên Khương', 'AIRPORT', '68', 'Huyện Đức Trọng', null, null, 'NATIONAL', 'Cảng vụ hàng không miền Nam', 11.7503, 108.3676, 'LQ-68-001001', '2021-05-20 0', null],
  ['GL-LT-01', 'Chốt Cửa khẩu quốc tế Lệ Thanh', 'BORDER_GATE', '64', 'Huyện Đức Cơ', 'QL19', null, 'NATIONAL', 'Bộ đội Biên phòng tỉnh Gia Lai', 13.8468, 107.5512, null, '2021-05-01 0', 'Chưa niêm yết mã QR địa điểm'],
];

function parseValidFrom(text: string): readonly [number, number, number, number] {
  const [date, hour] = text.split(' ') as [string, string];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return [year, month, day, Number(hour)];
}

export const CHECKPOINTS: readonly RegisteredCheckpoint[] = ROWS.map(
  ([code, name, type, provinceCode, district, road, kmMarker, level, agency, latitude, longitude, locationQrId, validFrom, note]) => ({
    code, name, type, provinceCode, district, road, kmMarker, level, agency, latitude, longitude, locationQrId, note,
    validFrom: parseValidFrom(validFrom),
  }),
);

/** Status changes during summer 2021, by checkpoint code: from that local day on, the checkpoint is suspended or closed. */
const STATUS_CHANGES: Readonly<Record<string, { status: 'SUSPENDED' | 'CLOSED'; from: readonly [number, number, number] }>> = {
  'HCM-GSG-01': { status: 'SUSPENDED', from: [2021, 8, 1] },
  'DNG-GA-01': { status: 'SUSPENDED', from: [2021, 8, 5] },
  'BG-QL1A-01': { status: 'CLOSED', from: [2021, 8, 5] },
  'BN-QL18-01': { status: 'CLOSED', from: [2021, 8, 10] },
  'KG-RG-01': { status: 'CLOSED', from: [2021, 8, 15] },
};

/** The checkpoint's status at an instant, and for a closed one the local day it closed on. */
export function statusAt(checkpoint: RegisteredCheckpoint, at: number): { status: CheckpointStatus; closedOnDay: number | null } {
  const change = STATUS_CHANGES[checkpoint.code];
  if (!change) return { status: 'ACTIVE', closedOnDay: null };
  const [year, month, day] = change.from;
  const fromDay = Date.UTC(year, month - 1, day) / DAY_MS;
  if (at < localMidnight(fromDay)) return { status: 'ACTIVE', closedOnDay: null };
  return { status: change.status, closedOnDay: change.status === 'CLOSED' ? fromDay : null };
}

/** Checkpoints PC-Covid users can scan: those with a location QR posted. */
export const SCANNABLE_CHECKPOINTS = CHECKPOINTS.filter((checkpoint) => checkpoint.locationQrId !== null);

/** Checkpoints vehicles pass (where plates are noted). */
export function isOnRoad(checkpoint: RegisteredCheckpoint): boolean {
  return checkpoint.type === 'ROAD' || checkpoint.type === 'BORDER_GATE';
}
