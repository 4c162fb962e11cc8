import { hubspotSettings } from '../../../../src/connectors/hubspot/settings';
import { ConnectorSettingsError } from '../../../../src/connectors/settings-error';
import { BadUserInputError } from '../../../../src/errors';

describe('HubSpot connection settings', () => {
  it('read the properties the read path asks for besides the configured ones, once each', () => {
    const s = hubspotSettings({ fields: { contact: ['tier'] } }, { contact: ['tier', 'nps'], deal: [] });
    expect(s.fields).toEqual({ contact: ['tier', 'nps'], deal: [] });
    expect(hubspotSettings({ fields: { deal: ['score'] } }).fields).toEqual({ contact: [], deal: ['score'] });
  });

  it('refuse a malformed value as a ConnectorSettingsError (BAD_USER_INPUT) naming the key', () => {
    const err = (() => {
      try {
        return hubspotSettings({ searchOverlapMs: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConnectorSettingsError);
    expect(err).toBeInstanceOf(BadUserInputError);
    expect((err as Error).message).toMatch(/^invalid HubSpot connection setting searchOverlapMs: /);
  });
});
