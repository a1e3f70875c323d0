/** C06's own codes: its declaration forms (`loaiToKhai`, the codes PC-Covid uses too). */
import { UPPER_SNAKE_CODES, type DeclarationTypeCodes } from '../../../services/source-vocabulary/declaration-types.ts';

export const DECLARATION_TYPES: DeclarationTypeCodes = { field: 'loaiToKhai', codes: UPPER_SNAKE_CODES, whenAbsent: 'WHOLE_POPULATION' };
