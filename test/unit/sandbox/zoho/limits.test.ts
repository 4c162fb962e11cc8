import { OrgLimits } from '../../../../src/sandbox/zoho/limits';
import { zohoSettingsSchema } from '../../../../src/sandbox/zoho/settings';
import { unzipOne, zipOne } from '../../../../src/zip';

describe('Zoho credits window', () => {
  it('frees each call’s credits 24 hours after the call, not at a day boundary', () => {
    const limits = new OrgLimits(zohoSettingsSchema.parse({ creditLimit: 5 }));
    const h = 3600_000;
    expect(limits.charge(0, 3).ok).toBe(true);
    expect(limits.charge(10 * h, 2).ok).toBe(true);
    expect(limits.charge(20 * h, 1)).toEqual({ ok: false, remaining: 0 });
    expect(limits.spent(24 * h)).toBe(2);
    expect(limits.charge(24 * h, 3)).toEqual({ ok: true, remaining: 0 });
    expect(limits.spent(34 * h)).toBe(3);
  });

  it('admits calls up to the concurrency limit and frees a slot when one leaves', () => {
    const limits = new OrgLimits(zohoSettingsSchema.parse({ concurrencyLimit: 2 }));
    expect([limits.enter(), limits.enter(), limits.enter()]).toEqual([null, null, 'concurrency']);
    limits.leave();
    expect(limits.enter()).toBeNull();
    expect(limits.callsInFlight).toBe(2);
  });
});

describe('zip', () => {
  it('round-trips one file through a zip archive', () => {
    const content = Buffer.from('id,Last_Name\n1,"Lovelace, Ada"\n'.repeat(50));
    const zip = zipOne('123.csv', content);
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(unzipOne(zip, 1 << 20)).toEqual({ name: '123.csv', content });
  });
});
