import { type DealStatus } from './zoho.constants';

/**
 * A deal's status from its stage (docs/vendors/zoho.md "Connector: deal stages and status"): the
 * stage's `forecast_type` says `Closed Won` / `Closed Lost` / `Open`; where a stage names none, its
 * probability decides (100 won, 0 lost, anything else open).
 */
export function dealStatusOf(stage: {
  forecast_type?: string | null;
  forecast_category?: { name?: string } | null;
  probability?: number | null;
}): DealStatus {
  const type = (stage.forecast_type ?? '')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
  if (type === 'closed won') return 'won';
  if (type === 'closed lost') return 'lost';
  if (type === 'open') return 'open';
  if (stage.probability === 100) return 'won';
  if (stage.probability === 0) return 'lost';
  return 'open';
}
