import { createSalesforceState } from '../../../../src/sandbox/salesforce/seed';
import { SCHEMA } from '../../../../src/sandbox/salesforce/schema';

/**
 * Ids of records made in a seeded org (issue 17: `bench:writes` saw 2,000 Salesforce creates succeed
 * and only 1,995 contacts more in the sandbox). Seeded rows are numbered from 1001 in the same space
 * as created ones; a create must never take a seeded row's id, which replaced that row.
 */
it('a record created past the seeded numbers never replaces a seeded record', () => {
  const state = createSalesforceState({
    id: 'default',
    seed: 7,
    counts: { Contact: 5, Opportunity: 2, Account: 2 },
    now: () => Date.UTC(2026, 0, 1),
  } as unknown as Parameters<typeof createSalesforceState>[0]);
  const contacts = state.store.table('Contact');
  const seeded = new Map([...contacts].map(([id, rec]) => [id, rec.LastName]));
  const contact = SCHEMA.get('Contact')!;
  const ctx = { userId: state.integrationUserId, now: Date.UTC(2026, 0, 1), mode: 'json' as const };
  const made = new Set<string>();
  for (let i = 0; i < 1100; i++) {
    const saved = state.store.create(contact, { LastName: `Made ${i}` }, ctx);
    expect(saved.success).toBe(true);
    if (saved.success) made.add(saved.id);
  }
  expect(made.size).toBe(1100);
  expect(contacts.size).toBe(seeded.size + 1100);
  for (const [id, lastName] of seeded) expect(contacts.get(id)?.LastName).toBe(lastName);
});
