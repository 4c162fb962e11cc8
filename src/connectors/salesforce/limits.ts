import { SALESFORCE_API_VERSION } from './declaration';
import { type BudgetProbe } from '../http/hooks';

/**
 * How the gateway learns that a Salesforce org serves again after `403 REQUEST_LIMIT_EXCEEDED`.
 * Salesforce says nothing about when the allocation comes back (no `Retry-After`; the daily window
 * rolls, and the concurrent-long-request limit clears as requests finish: docs/vendors/salesforce.md
 * "Limits"), so the budget gate holds calls on a growing probe schedule and lets this one call through
 * per hold. The Limits resource is the cheapest call there is (a small fixed body, no query), and like
 * every REST response it carries `Sforce-Limit-Info`, from which the reopened budget learns what is
 * really left of the allocation.
 */
export const SALESFORCE_BUDGET_PROBE: BudgetProbe = {
  method: 'GET',
  url: `services/data/${SALESFORCE_API_VERSION.data}/limits`,
};
