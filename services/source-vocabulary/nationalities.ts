/**
 * Nationalities as the sources write them: vhd a country name from its list ("Việt Nam",
 * "Hàn Quốc") or a 2-letter code, ncovi a country name, PC-Covid an ISO 3166-1 alpha-2 code.
 * Canonical values are ISO codes; each code is also a word, so codes and names look up alike.
 * ("Mỹ" for the United States is left out: without diacritics it reads as MY, Malaysia's code;
 * the forms' lists say "Hoa Kỳ".)
 */
import { defineVocabulary } from './vocabulary.ts';

export const COUNTRY_NAMES = defineVocabulary<string>('country', {
  VN: ['Việt Nam', 'VN', 'Vietnam'],
  KR: ['Hàn Quốc', 'KR', 'Korea', 'South Korea'],
  CN: ['Trung Quốc', 'CN', 'China'],
  JP: ['Nhật Bản', 'JP', 'Japan'],
  TW: ['Đài Loan', 'TW', 'Taiwan'],
  US: ['Hoa Kỳ', 'US', 'United States', 'USA'],
  TH: ['Thái Lan', 'TH', 'Thailand'],
  LA: ['Lào', 'LA', 'Laos'],
  KH: ['Campuchia', 'KH', 'Cambodia'],
  SG: ['Singapore', 'SG'],
  MY: ['Malaysia', 'MY'],
  IN: ['Ấn Độ', 'IN', 'India'],
  AU: ['Úc', 'AU', 'Australia'],
  GB: ['Anh', 'GB', 'United Kingdom', 'UK'],
  FR: ['Pháp', 'FR', 'France'],
  DE: ['Đức', 'DE', 'Germany'],
  RU: ['Nga', 'RU', 'Russia'],
});
