/**
 * Picklist values of the simulated org. Stage names are widely attested; default probabilities and
 * contact roles are UNVERIFIED (docs/vendors/salesforce.md "Standard objects") but match what a fresh org ships with in common reports.
 */
export const OPPORTUNITY_STAGES = [
  { value: 'Prospecting', probability: 10, closed: false, won: false },
  { value: 'Qualification', probability: 10, closed: false, won: false },
  { value: 'Needs Analysis', probability: 20, closed: false, won: false },
  { value: 'Value Proposition', probability: 50, closed: false, won: false },
  { value: 'Id. Decision Makers', probability: 60, closed: false, won: false },
  { value: 'Perception Analysis', probability: 70, closed: false, won: false },
  { value: 'Proposal/Price Quote', probability: 75, closed: false, won: false },
  { value: 'Negotiation/Review', probability: 90, closed: false, won: false },
  { value: 'Closed Won', probability: 100, closed: true, won: true },
  { value: 'Closed Lost', probability: 0, closed: true, won: false },
] as const;

export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] as const;
export const CONTACT_ROLES = [
  'Business User',
  'Decision Maker',
  'Economic Buyer',
  'Economic Decision Maker',
  'Evaluator',
  'Executive Sponsor',
  'Influencer',
  'Technical Buyer',
  'Other',
] as const;
export const CUSTOMER_TIERS = ['Gold', 'Silver', 'Bronze'] as const;
export const INDUSTRIES = [
  'Technology',
  'Finance',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Education',
] as const;
export const DEAL_SOURCES = ['Inbound', 'Outbound', 'Partner', 'Expansion'] as const;

/**
 * Currencies a multi-currency org has active (CurrencyIsoCode's picklist), and so the ones its
 * corporate currency can be; a single-currency org may have any ISO 4217 code.
 */
export const ACTIVE_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF'] as const;
