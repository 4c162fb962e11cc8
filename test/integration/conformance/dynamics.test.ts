import { CHANGES_WINDOW_EXCEEDED } from '../../../src/connectors/changes-window';
import { rejection } from '../../support/connector-doubles';
import { type DynamicsConformanceSandbox, dynamicsTarget, startDynamicsConformance } from './dynamics.target';
import { describeConformance } from './suite';
import { feedStart, walkChanges } from './walk';

/**
 * Dynamics 365 conformance: the shared suite against the Dataverse sandbox, then what only Dataverse
 * has — a change feed kept by delta token, whose token expires with the org's change-tracking window,
 * and the service protection limit on requests in flight (52 per user).
 */

describeConformance(dynamicsTarget);

const DAY_MS = 24 * 3600_000;

describe('dynamics only', () => {
  let sb: DynamicsConformanceSandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('answers a delta token Dataverse has expired with CHANGES_WINDOW_EXCEEDED and a full resync, and a new position works', async () => {
    sb = await startDynamicsConformance({ counts: { contact: 30, deal: 5 } });
    const position = await feedStart(sb.connector('background'), 'contact');
    // Eight days later by the org's clock: past its ExpireChangeTrackingInDays (7).
    await sb.advanceClock(8 * DAY_MS);
    sb.clearLog();
    // `since` is recent by our clock, so the connector's own window check lets the call through: the
    // refusal is Dataverse's.
    const since = new Date();
    const err = await rejection(sb.connector('background').listChanges('contact', { since, position }));
    expect(err).toMatchObject({ code: 'UPSTREAM', vendorCode: CHANGES_WINDOW_EXCEEDED });
    expect(err.details).toMatchObject({ fullResyncRequired: true });
    expect(sb.log().filter((e) => e.status === 400)).toHaveLength(1);

    // What the sync does next: reconcile, and follow a new position from then on.
    const fresh = await feedStart(sb.connector('background'), 'contact');
    const [doomed] = sb.liveIds('contact');
    sb.deleteAt('contact', doomed as string, sb.now());
    const walk = await walkChanges(sb.connector('background'), 'contact', since, 100, fresh);
    expect(walk.changes.map((c) => [c.remoteId, c.kind])).toEqual([[doomed, 'DELETED']]);
    expect(walk.position).not.toBeNull();
  });

  it('keeps under Dataverse’s 52-requests-in-flight limit: 60 reads at once, none refused, every one answered', async () => {
    sb = await startDynamicsConformance({ counts: { contact: 80, deal: 5 } });
    const ids = sb.liveIds('contact').slice(0, 60);
    // Slow answers, so that 60 reads would be in flight together: the connection's slots
    // (ratelimit/concurrency-gate.ts) hold the last 8 back until earlier ones end.
    await sb.setFaults({ latencyMs: 300 });
    sb.clearLog();
    const reads = await Promise.all(ids.map((id) => sb!.connector().getRecords('contact', [id])));
    expect(reads.map(([r]) => r?.remoteId)).toEqual(ids);
    expect(sb.log().filter((e) => e.status >= 400)).toEqual([]);
    expect(sb.log()).toHaveLength(60);
  });
});
