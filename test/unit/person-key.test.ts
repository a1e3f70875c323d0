import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PersonIdentity } from '../../services/normalizer/mapping/contract.ts';
import { createPersonKey } from '../../services/platform/person-key.ts';

const SECRET = 'unit-test-person-key-secret-0123456789abcdef';

function uncached(secret: string, identity: PersonIdentity): string {
  const name = 'document' in identity ? `doc:${identity.document.type}:${identity.document.number}` : `phone:${identity.phone}`;
  return createHmac('sha256', secret).update(name, 'utf8').digest('hex');
}

const identities: PersonIdentity[] = Array.from({ length: 50 }, (_, i) =>
  i % 3 === 0 ? { phone: `+8490${String(i).padStart(7, '0')}` } : { document: { type: i % 2 ? 'CCCD' : 'PASSPORT', number: `0012${String(i).padStart(8, '0')}` } },
);

describe('person key', () => {
  it('is the HMAC of the identity, first time and every time after, while its memo turns over', () => {
    // A memo of 4 entries per generation: most lookups below miss, some hit, all must agree.
    const personKey = createPersonKey(SECRET, 4);
    for (let round = 0; round < 3; round++) {
      for (const identity of identities) expect(personKey(identity)).toBe(uncached(SECRET, identity));
      for (const identity of identities.slice(0, 3)) expect(personKey(identity)).toBe(uncached(SECRET, identity));
    }
  });

  it('tells a document from a phone with the same digits, and one secret from another', () => {
    const personKey = createPersonKey(SECRET);
    const document: PersonIdentity = { document: { type: 'CMND', number: '84901234567' } };
    const phone: PersonIdentity = { phone: '84901234567' };
    expect(personKey(document)).not.toBe(personKey(phone));
    expect(createPersonKey(`${SECRET}-other`)(document)).not.toBe(personKey(document));
    expect(personKey(document)).toMatch(/^[0-9a-f]{64}$/);
  });
});
