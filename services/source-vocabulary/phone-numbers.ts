/**
 * Vietnamese mobile numbers: 10 digits, 0 + a network prefix
 * (3[2-9] | 5[25689] | 7[06-9] | 8[1-689] | 9[0-46-9]) + 7 digits, written 0…, 84… or +84…, often with
 * spaces or dots. Canonical records carry them in E.164 (+84…).
 */

/** The network prefixes after the leading 0. */
export const MOBILE_PREFIXES: readonly string[] = [
  '32', '33', '34', '35', '36', '37', '38', '39',
  '52', '55', '56', '58', '59',
  '70', '76', '77', '78', '79',
  '81', '82', '83', '84', '85', '86', '88', '89',
  '90', '91', '92', '93', '94', '96', '97', '98', '99',
];

const NATIONAL_MOBILE = /^(?:3[2-9]|5[25689]|7[06-9]|8[1-689]|9[0-46-9])\d{7}$/;
const SEPARATORS = /[\s.\-()]/g;

/** The E.164 form of a mobile number as written (0…, 84…, +84…, with spaces, dots or dashes), or null when it is not a Vietnamese mobile. */
export function mobileToE164(text: string): string | null {
  const compact = text.replace(SEPARATORS, '');
  let national: string;
  if (compact.startsWith('+84')) national = compact.slice(3);
  else if (compact.startsWith('84') && compact.length === 11) national = compact.slice(2);
  else if (compact.startsWith('0')) national = compact.slice(1);
  else return null;
  return NATIONAL_MOBILE.test(national) ? `+84${national}` : null;
}
