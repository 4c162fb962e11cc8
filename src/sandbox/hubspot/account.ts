// HubSpot's account information API (`/account-info/v3/…`): the portal a token belongs to, and its
// daily API usage. Both are ordinary API routes: authenticated, limited and logged like the rest.
import { type FastifyInstance } from 'fastify';
import { ACCOUNT } from './constants';
import { apiRoute, iso } from './http';
import { type HubSpotServer } from './state';

const MINUTE_MS = 60_000;

/** `+05:30` / `-05:00` for minutes east of UTC. */
function utcOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/**
 * A zone name for an offset. HubSpot answers the portal's configured zone (e.g. `US/Eastern`); the
 * sandbox only knows the offset its daily limit resets by, so it names the fixed-offset zone (POSIX
 * `Etc/GMT±h` counts hours west, hence the flipped sign), or `UTC` for offsets of odd minutes.
 * UNVERIFIED beyond the field's presence.
 */
function timeZoneName(minutes: number): string {
  if (minutes === 0 || minutes % 60 !== 0) return 'UTC';
  const hours = -minutes / 60;
  return `Etc/GMT${hours > 0 ? '+' : ''}${hours}`;
}

export function registerAccountRoutes(app: FastifyInstance, server: HubSpotServer): void {
  // GET /account-info/v3/details: which portal the calling token (private-app or OAuth) belongs to.
  // Field names follow HubSpot's public reference for the account information API; the shared vendor
  // doc is silent on this endpoint, so the shape beyond `portalId` is UNVERIFIED there.
  apiRoute(app, server, 'GET', '/account-info/v3/details', ({ org }) => {
    const offsetMinutes = org.state.limits.settings.timeZoneOffsetMinutes;
    return {
      portalId: org.state.portalId,
      accountType: ACCOUNT.accountType,
      timeZone: timeZoneName(offsetMinutes),
      companyCurrency: org.state.companyCurrency,
      additionalCurrencies: [],
      utcOffset: utcOffset(offsetMinutes),
      utcOffsetMilliseconds: offsetMinutes * MINUTE_MS,
      uiDomain: ACCOUNT.uiDomain,
      dataHostingLocation: ACCOUNT.dataHostingLocation,
    };
  });

  apiRoute(app, server, 'GET', '/account-info/v3/api-usage/daily/private-apps', ({ org }) => {
    const usage = org.state.limits.dailyUsage(org.now());
    return {
      results: [
        {
          name: 'private-apps-api-calls-daily',
          usageLimit: org.state.limits.dailyMax,
          currentUsage: usage.used,
          collectedAt: iso(org.now()),
          fetchStatus: 'SUCCESS',
          resetsAt: iso(usage.resetsAt),
        },
      ],
    };
  });
}
