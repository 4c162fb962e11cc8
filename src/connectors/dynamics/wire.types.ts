import { type NativeValue } from '../types';

/**
 * Web API answers as Dataverse sends them (docs/vendors/dynamics.md "Rows", "Paging", "Metadata").
 * Only what the connector reads is typed; every other key passes through untouched.
 */

/** A row: columns by logical name, lookups as `_<name>_value`, annotations as `<prop>@<annotation>`. */
export type WireRow = Record<string, NativeValue | undefined> & { '@odata.etag'?: string };

/** A collection page. `@odata.nextLink` carries `$skiptoken`; the last page of a tracked read, `@odata.deltaLink`. */
export interface WireCollection {
  value: WireRow[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  '@odata.count'?: number;
}

/** A localized label (`DisplayName`, option labels). */
export interface WireLabel {
  UserLocalizedLabel?: { Label?: string } | null;
  LocalizedLabels?: { Label?: string }[];
}

/** `EntityDefinitions(LogicalName=…)/Attributes` elements, as far as `describe.ts` reads them. */
export interface WireAttribute {
  LogicalName: string;
  AttributeType: string;
  DisplayName?: WireLabel;
  RequiredLevel?: { Value?: string };
  IsCustomAttribute?: boolean;
  IsValidForCreate?: boolean;
  IsValidForUpdate?: boolean;
  AttributeOf?: string | null;
  Targets?: string[];
  DateTimeBehavior?: { Value?: string } | null;
  OptionSet?: { Options?: { Value: number; Label?: WireLabel }[] };
}

/** `EntityDefinitions(LogicalName=…)/Keys` elements. */
export interface WireKey {
  LogicalName: string;
  KeyAttributes: string[];
}
