import { type CrmConnector, type NativeChange } from '../../../src/connectors/types';
import { DEMO } from '../../../src/sandbox/hubspot';
import { describeConformance } from './suite';
import { allChanges } from './walk';
import { type HubSpotSandboxHandle, hubspotTarget, startHubSpotConformance } from './hubspot.target';

/**
 * HubSpot conformance: the shared suite against the HubSpot sandbox, then what only HubSpot has — the
 * 10,000-results-per-query search cap (met with records sharing one timestamp) and search's eventual
 * consistency (index lag, met by the poll overlap).
 */

describeConformance(hubspotTarget);

let sb: HubSpotSandboxHandle | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const walk = (connector: CrmConnector, since: Date, pageSize = 200): Promise<NativeChange[]> =>
  allChanges(connector, 'contact', since, pageSize);

describe('HubSpot changes through search', () => {
  it('gets past the 10,000-result cap when 10,050 records share one timestamp, each exactly once', async () => {
    sb = await startHubSpotConformance({ contact: 20, deal: 5 });
    const at = sb.now() - 20_000;
    const ids = sb.createAt(
      'contact',
      Array.from({ length: 10_050 }, (_, i) => ({ email: `cap${i}@search.test` })),
      at,
    );
    sb.clearLog();
    const changes = await walk(sb.connector('background'), new Date(at - 1));
    const upserted = changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId);
    expect(upserted.length).toBe(new Set(upserted).size);
    const got = new Set(upserted);
    expect(ids.filter((id) => !got.has(id))).toEqual([]);
    expect(sb.log().filter((e) => e.status >= 400)).toEqual([]);
    // 10,050 records at 200 a page: ⌈10,050 / 200⌉ searches, plus one that finds the end.
    expect(sb.calls(/^POST \/crm\/v3\/objects\/.*\/search$/)).toBeLessThanOrEqual(
      Math.ceil(upserted.length / 200) + 1,
    );
    await new Promise((r) => setTimeout(r, 1200));
    // The cap is real: offset paging of this very window is refused at result 10,000.
    const offset = await fetch(`${sb.live.baseUrl}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO.privateAppToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: 'EQ', value: String(at) }] },
        ],
        limit: 200,
        after: '9900',
      }),
    });
    expect(offset.status).toBe(400);
  }, 60_000);

  it('tolerates index lag: a change not yet searchable is found by the next poll through the overlap', async () => {
    sb = await startHubSpotConformance({ contact: 30, deal: 5 });
    await sb.setFaults({ indexLagMs: 1500 });
    const [id] = sb.liveIds('contact');
    sb.server.org('default').state.store.update('contacts', id as string, { jobtitle: 'Lagging' }, 'CRM_UI');
    const changedAt = sb.now();
    await new Promise((r) => setTimeout(r, 20));

    const firstPoll = new Date();
    const first = await walk(sb.connector('background'), new Date(changedAt - 1000));
    expect(first.map((c) => c.remoteId)).not.toContain(id);

    await new Promise((r) => setTimeout(r, 1600));
    // The caller's next poll starts where the last one started; the change happened before that.
    expect(changedAt).toBeLessThan(firstPoll.getTime() + 1);
    const withoutOverlap = await walk(sb.connectorWith('background', { searchOverlapMs: 0 }), firstPoll);
    expect(withoutOverlap.map((c) => c.remoteId)).not.toContain(id);
    const second = await walk(sb.connector('background'), firstPoll);
    const found = second.find((c) => c.remoteId === id);
    expect(found?.record?.fields.jobtitle).toBe('Lagging');
  });
});
