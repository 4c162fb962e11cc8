import { type CrmDeclaration } from '../config/crms';
import { type CrmMappingDefaults } from '../mapping/types';
import { type CrmDefinition } from './definition';
import { dynamics } from './dynamics';
import { hubspot } from './hubspot';
import { pipedrive } from './pipedrive';
import { salesforce } from './salesforce';
import { zoho } from './zoho';

/**
 * Every CRM this gateway speaks: the one registration point. Adding a CRM adds one line here (its
 * folder's `index.ts` exports the definition); the kinds, declarations and default mappings below derive
 * from this list, and everything that needs "the connector of this connection" comes through it
 * (`vendor-access.ts`) instead of switching on the kind.
 */
export const CRM_DEFINITIONS = { salesforce, hubspot, dynamics, pipedrive, zoho } as const satisfies Record<
  string,
  CrmDefinition
>;

export type CrmKind = keyof typeof CRM_DEFINITIONS;

/** The registered kinds, in registration order. */
export const CRM_KINDS = Object.keys(CRM_DEFINITIONS) as CrmKind[];

export function isCrmKind(value: unknown): value is CrmKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CRM_DEFINITIONS, value);
}

/** The definition of `kind`; throws naming the known kinds when `kind` is not one. */
export function crmDefinition(kind: string): CrmDefinition {
  if (!isCrmKind(kind)) {
    throw new Error(`unknown CRM kind ${JSON.stringify(kind)}: expected one of ${CRM_KINDS.join(', ')}`);
  }
  return CRM_DEFINITIONS[kind];
}

/** The declaration of `kind`; throws naming the known kinds when `kind` is not one. */
export function crmDeclaration(kind: string): CrmDeclaration {
  return crmDefinition(kind).declaration;
}

function byKind<T>(pick: (definition: CrmDefinition) => T): Readonly<Record<CrmKind, T>> {
  return Object.fromEntries(CRM_KINDS.map((kind) => [kind, pick(CRM_DEFINITIONS[kind])])) as Record<
    CrmKind,
    T
  >;
}

/** The registered CRMs' declarations, keyed by kind. */
export const CRMS: Readonly<Record<CrmKind, CrmDeclaration>> = byKind((d) => d.declaration);

/** The mapping a new connection of each CRM starts with. */
export const DEFAULT_MAPPINGS: Readonly<Record<CrmKind, CrmMappingDefaults>> = byKind(
  (d) => d.defaultMapping,
);
