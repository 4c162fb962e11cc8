import { CrmUnavailableError } from '../../errors';
import { type HookResponse, type VendorHooks, defaultHooks, defaultParseError } from '../http/hooks';
import { hubspotDeclaration } from './declaration';

/**
 * 423 (a record locked by a concurrent write) and 477 (the portal is being migrated between data
 * centres) pass: the request was not applied and may be sent again, a create included
 * (docs/vendors/hubspot.md "Error bodies").
 */
const PASSING_STATUSES = new Set([423, 477]);

const base = defaultHooks({
  authScheme: hubspotDeclaration.authScheme,
  requestIdHeader: hubspotDeclaration.requestIdHeader,
});

/** The shared client's hooks where HubSpot differs from a plain JSON API. */
export const hubspotHooks: Partial<VendorHooks> = {
  // A 429 whose body names the DAILY policy is the portal's daily allocation, shared by every app:
  // it will not clear within seconds, and the burst window's interval says nothing about it.
  isBudgetExhausted(res: HookResponse): boolean {
    if (res.status !== 429) return false;
    const body = res.json as { policyName?: unknown } | undefined;
    return !!body && typeof body === 'object' && body.policyName === 'DAILY';
  },
  isNotApplied: (res: HookResponse): boolean => PASSING_STATUSES.has(res.status),
  parseError: (res, extra) =>
    defaultParseError(
      res,
      extra,
      base.requestId(res),
      PASSING_STATUSES.has(res.status) ? CrmUnavailableError : undefined,
    ),
};
