import { CompanyLimits, type Caller } from '../../../../src/sandbox/pipedrive/limits';
import { ParticipantBook } from '../../../../src/sandbox/pipedrive/participant-book';
import { PARTICIPANT_COSTS } from '../../../../src/sandbox/pipedrive/constants';
import { pipedriveSettingsSchema } from '../../../../src/sandbox/pipedrive/settings';

const AT = Date.UTC(2026, 5, 1, 10, 0, 0, 750);

describe('ParticipantBook', () => {
  it('keeps each deal’s participants in the order they were added, with their own ids and whole-second times', () => {
    const book = new ParticipantBook();
    const a = book.add(1, 10, 7, AT);
    const b = book.add(2, 10, 7, AT);
    const c = book.add(1, 11, 8, AT);
    expect([a.id, b.id, c.id]).toEqual([1, 2, 3]);
    expect(a.addTime).toBe(AT - 750);
    expect(book.ofDeal(1).map((p) => p.personId)).toEqual([10, 11]);
    expect(book.find(1, 11)).toBe(c);
    expect(book.find(2, 11)).toBeUndefined();
    book.remove(a.id);
    expect(book.ofDeal(1).map((p) => p.personId)).toEqual([11]);
    expect(book.get(a.id)).toBeUndefined();
  });

  it('passes a merged person’s attachments to the survivor, once per deal', () => {
    const book = new ParticipantBook();
    book.add(1, 10, 7, AT);
    book.add(1, 20, 7, AT);
    book.add(2, 10, 7, AT);
    book.reassign(10, 20);
    expect(book.ofDeal(1).map((p) => p.personId)).toEqual([20]);
    expect(book.ofDeal(2).map((p) => p.personId)).toEqual([20]);
  });
});

describe('CompanyLimits with an endpoint’s own price', () => {
  const API: Caller = { token: 'api', kind: 'api_token' };

  it('charges the given cost instead of the kind’s (a v1 participants list is 10, a v1 list 20)', () => {
    const limits = new CompanyLimits(pipedriveSettingsSchema.parse({}));
    limits.charge(API, 'v1', 'list', AT, PARTICIPANT_COSTS.list);
    expect(limits.spent(AT)).toBe(10);
    limits.charge(API, 'v1', 'list', AT);
    expect(limits.spent(AT)).toBe(30);
  });

  it('refuses a call its own price does not fit, without charging it', () => {
    const limits = new CompanyLimits(pipedriveSettingsSchema.parse({ dailyTokenBudget: 15 }));
    expect(limits.charge(API, 'v1', 'create', AT, PARTICIPANT_COSTS.add).ok).toBe(true);
    expect(limits.charge(API, 'v1', 'delete', AT, PARTICIPANT_COSTS.delete)).toMatchObject({
      ok: false,
      reason: 'daily',
    });
    expect(limits.spent(AT)).toBe(10);
  });
});
