import { dataverseError, isChangeTrackingExpired } from '../../../../src/connectors/dynamics/errors';
import { dynamicsSettings } from '../../../../src/connectors/dynamics/settings';
import { ConnectorSettingsError } from '../../../../src/connectors/settings-error';

const answer = (status: number, code: string, message = 'm') => {
  const json = { error: { code, message } };
  return { status, headers: {}, text: JSON.stringify(json), json };
};

describe('Dataverse error bodies', () => {
  it.each([
    [404, '0x80040217', 'NOT_FOUND'],
    [412, '0x80040237', 'CONFLICT'],
    [412, '0x80060882', 'CONFLICT'],
    [400, '0x80060888', 'VALIDATION'],
    [400, '0x8004431A', 'VALIDATION'],
    [429, '0x80072326', 'RATE_LIMITED'],
    [400, '', 'VALIDATION'],
    [503, '', 'UNAVAILABLE'],
  ])('HTTP %i code %s → %s, naming status, code and message', (status, code, expected) => {
    const err = dataverseError(answer(status, code, 'what Dataverse said'), { requestId: 'r1' });
    expect(err.code).toBe(expected);
    expect(err.message).toBe(
      `dynamics answered HTTP ${status}${code ? ` ${code}` : ''}: what Dataverse said`,
    );
    expect(err.vendorRequestId).toBe('r1');
  });

  it('tell an expired change-tracking token by its code', () => {
    expect(isChangeTrackingExpired(dataverseError(answer(400, '0x80044352')))).toBe(true);
    expect(isChangeTrackingExpired(dataverseError(answer(400, '0x80060888')))).toBe(false);
  });
});

describe('Dynamics connection settings', () => {
  it('read extra columns and those the read path asks for, once each; refuse a malformed value naming the key', () => {
    expect(
      dynamicsSettings({ fields: { contact: ['cr8f3_tier'] } }, { contact: ['cr8f3_tier', 'x'] }).fields,
    ).toEqual({
      contact: ['cr8f3_tier', 'x'],
      deal: [],
    });
    expect(() => dynamicsSettings({ fields: { deal: 'x' } })).toThrow(ConnectorSettingsError);
    expect(() => dynamicsSettings({ fields: { deal: 'x' } })).toThrow(
      /^invalid Dynamics 365 connection setting fields\.deal: /,
    );
  });
});
