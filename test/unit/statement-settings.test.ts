import { describe, expect, it } from 'vitest';
import { resetStatements } from '../../services/platform/statement-settings.ts';

describe('resetStatements', () => {
  it('puts back every setting an earlier call changed that this call does not set itself', () => {
    const used = new Set(['insert_deduplication_token', 'max_result_rows', 'readonly']);
    expect(resetStatements(used, { max_result_rows: '10', readonly: undefined })).toBe('SET insert_deduplication_token = DEFAULT; SET readonly = DEFAULT; ');
    expect(resetStatements(used, undefined)).toBe('SET insert_deduplication_token = DEFAULT; SET max_result_rows = DEFAULT; SET readonly = DEFAULT; ');
    expect(resetStatements(new Set(), { readonly: '1' })).toBe('');
  });
});
