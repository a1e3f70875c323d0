/**
 * Names for the synthetic population, written for this generator: Vietnamese family names with
 * roughly their real frequencies (Nguyễn about 38%), middle names and given names by gender, and a
 * few foreign names per nationality for foreigners declaring on entry.
 */
import type { Gender } from '../../schemas/kinds/canonical-values.ts';
import { WeightedTable, type Random } from './random.ts';

/** Family names, weights in percent of the population (approximate). */
const FAMILY_NAMES = new WeightedTable<string>([
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 4], ['Huỳnh', 2], ['Phan', 4.5],
  ['Vũ', 3.5], ['Võ', 2.5], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3],
  ['Dương', 1], ['Lý', 0.5], ['Đinh', 0.8], ['Trương', 0.7], ['Lâm', 0.5], ['Mai', 0.5], ['Đoàn', 0.5],
  ['Trịnh', 0.5], ['Lương', 0.4], ['Cao', 0.4], ['Hà', 0.4], ['Thái', 0.2], ['Tạ', 0.2], ['Tô', 0.2],
  ['Châu', 0.2], ['Phùng', 0.2], ['Kiều', 0.1], ['Quách', 0.1],
]);

const MIDDLE_NAMES: Record<'MALE' | 'FEMALE', WeightedTable<string>> = {
  MALE: new WeightedTable([
    ['Văn', 30], ['Minh', 12], ['Đức', 10], ['Hữu', 8], ['Quang', 8], ['Quốc', 6], ['Thanh', 6], ['Công', 5],
    ['Ngọc', 4], ['Xuân', 4], ['Hoàng', 4], ['Tuấn', 3], ['Gia', 3], ['Anh', 3], ['Trọng', 3], ['Thế', 3], ['Duy', 3],
  ]),
  FEMALE: new WeightedTable([
    ['Thị', 45], ['Ngọc', 10], ['Thu', 6], ['Thanh', 6], ['Minh', 4], ['Hồng', 4], ['Kim', 4], ['Thùy', 4],
    ['Bích', 3], ['Mỹ', 3], ['Phương', 3], ['Hoài', 2], ['Khánh', 2], ['Bảo', 2], ['Diệu', 2],
  ]),
};

/** Second middle names of four-word names ("Nguyễn Thị Thu Hà", "Lê Hoàng Minh Khôi"). */
const SECOND_MIDDLE_NAMES: Record<'MALE' | 'FEMALE', readonly string[]> = {
  MALE: ['Minh', 'Anh', 'Gia', 'Bảo', 'Nhật', 'Đăng'],
  FEMALE: ['Thu', 'Hồng', 'Thanh', 'Ngọc', 'Bích', 'Kim', 'Mỹ', 'Thúy', 'Minh'],
};

const GIVEN_NAMES: Record<'MALE' | 'FEMALE', readonly string[]> = {
  MALE: [
    'An', 'Anh', 'Bảo', 'Bình', 'Cường', 'Dũng', 'Duy', 'Dương', 'Đạt', 'Đức', 'Hải', 'Hiếu', 'Hoàng', 'Hùng',
    'Huy', 'Khải', 'Khánh', 'Khoa', 'Khôi', 'Kiên', 'Long', 'Lâm', 'Mạnh', 'Minh', 'Nam', 'Nghĩa', 'Nhân',
    'Phong', 'Phúc', 'Quân', 'Quang', 'Sơn', 'Tài', 'Thắng', 'Thành', 'Thịnh', 'Toàn', 'Trung', 'Tuấn',
    'Tùng', 'Việt', 'Vinh', 'Hậu', 'Lộc', 'Tín',
  ],
  FEMALE: [
    'An', 'Anh', 'Châu', 'Chi', 'Diệp', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hiền', 'Hoa', 'Hồng', 'Hương',
    'Huyền', 'Lan', 'Linh', 'Loan', 'Mai', 'My', 'Nga', 'Ngân', 'Ngọc', 'Nhung', 'Oanh', 'Phương', 'Quyên',
    'Quỳnh', 'Tâm', 'Thảo', 'Thu', 'Thủy', 'Trang', 'Trinh', 'Tuyết', 'Uyên', 'Vân', 'Vy', 'Xuân', 'Yến',
  ],
};

/** A Vietnamese full name, family name first, with diacritics: "Nguyễn Thị Thu Hà". */
export function vietnameseName(random: Random, sex: 'MALE' | 'FEMALE'): string {
  const family = FAMILY_NAMES.pick(random);
  let middle = MIDDLE_NAMES[sex].pick(random);
  if (random.chance(sex === 'FEMALE' ? 0.12 : 0.06)) {
    const second = random.pick(SECOND_MIDDLE_NAMES[sex]);
    if (second !== middle) middle = `${middle} ${second}`;
  }
  return `${family} ${middle} ${random.pick(GIVEN_NAMES[sex])}`;
}

interface ForeignNames {
  family: readonly string[];
  male: readonly string[];
  female: readonly string[];
  /** East Asian names are written family name first. */
  familyFirst: boolean;
}

const FOREIGN_NAMES: Readonly<Record<string, ForeignNames>> = {
  KR: { family: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang'], male: ['Min-jun', 'Ji-ho', 'Do-yoon', 'Seung-woo'], female: ['Seo-yeon', 'Ha-eun', 'Ji-woo', 'Soo-ah'], familyFirst: true },
  CN: { family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Zhao'], male: ['Wei', 'Lei', 'Jun', 'Hao'], female: ['Fang', 'Jing', 'Min', 'Xiu'], familyFirst: true },
  JP: { family: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe'], male: ['Haruto', 'Sota', 'Ren', 'Daiki'], female: ['Yuki', 'Aoi', 'Yui', 'Sakura'], familyFirst: true },
  TW: { family: ['Chen', 'Lin', 'Huang', 'Chang', 'Wu'], male: ['Chia-hao', 'Chih-ming', 'Yu-sheng'], female: ['Yi-ting', 'Shu-fen', 'Hsin-yi'], familyFirst: true },
  US: { family: ['Smith', 'Johnson', 'Brown', 'Miller', 'Davis', 'Garcia'], male: ['John', 'Michael', 'David', 'Robert'], female: ['Emily', 'Sarah', 'Jessica', 'Laura'], familyFirst: false },
  TH: { family: ['Srisuk', 'Wongsawat', 'Chaiyaporn', 'Boonmee'], male: ['Somchai', 'Niran', 'Anan'], female: ['Malee', 'Siriporn', 'Ratana'], familyFirst: false },
  IN: { family: ['Sharma', 'Patel', 'Singh', 'Kumar'], male: ['Rahul', 'Arjun', 'Vikram'], female: ['Priya', 'Anjali', 'Neha'], familyFirst: false },
  FR: { family: ['Martin', 'Bernard', 'Dubois', 'Moreau'], male: ['Pierre', 'Julien', 'Nicolas'], female: ['Camille', 'Claire', 'Sophie'], familyFirst: false },
  GB: { family: ['Taylor', 'Wilson', 'Evans', 'Walker'], male: ['James', 'Oliver', 'Thomas'], female: ['Olivia', 'Emma', 'Charlotte'], familyFirst: false },
  DE: { family: ['Müller', 'Schmidt', 'Schneider', 'Fischer'], male: ['Lukas', 'Jonas', 'Felix'], female: ['Anna', 'Lena', 'Marie'], familyFirst: false },
  AU: { family: ['Thompson', 'White', 'Harris', 'Clarke'], male: ['Jack', 'Liam', 'Noah'], female: ['Chloe', 'Mia', 'Grace'], familyFirst: false },
  RU: { family: ['Ivanov', 'Smirnov', 'Popov', 'Volkov'], male: ['Dmitry', 'Alexei', 'Sergei'], female: ['Olga', 'Natalia', 'Irina'], familyFirst: false },
};

/** Nationalities of foreigners in the population, weighted roughly by 2021 arrivals. */
export const FOREIGN_NATIONALITIES = new WeightedTable<string>([
  ['KR', 25], ['CN', 20], ['JP', 15], ['US', 10], ['TW', 8], ['TH', 5], ['IN', 4], ['FR', 3], ['GB', 3], ['DE', 3], ['AU', 2], ['RU', 2],
]);

/** A foreigner's name as on the passport, in the order of their country. */
export function foreignName(random: Random, nationality: string, gender: Gender): string {
  const names = FOREIGN_NAMES[nationality];
  if (!names) throw new Error(`no names for nationality ${nationality}`);
  const family = random.pick(names.family);
  const given = random.pick(gender === 'FEMALE' ? names.female : names.male);
  return names.familyFirst ? `${family} ${given}` : `${given} ${family}`;
}

/** "Nguyễn Thị Thu Hà" → "Chị Hà": how hotline operators note a caller who gives only a first name. */
export function informalName(fullName: string, sex: 'MALE' | 'FEMALE'): string {
  const given = fullName.slice(fullName.lastIndexOf(' ') + 1);
  return `${sex === 'FEMALE' ? 'Chị' : 'Anh'} ${given}`;
}
