/**
 * HubSpot's wire shapes as the vendor documents them (CRM objects v3, associations v4, properties v3,
 * pipelines v3, OAuth v1, webhooks v3). Property values always travel as strings (or null). Every field
 * HubSpot says to treat as optional is optional here.
 */

export interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  archivedAt?: string;
  /** Echoed on batch writes when the input carried one. */
  objectWriteTraceId?: string;
}

/** Batch upsert results say whether the record was created. */
export interface HsUpsertObject extends HsObject {
  new?: boolean;
}

export interface HsPaging {
  next?: { after: string; link?: string };
}

export interface HsListResponse {
  results: HsObject[];
  paging?: HsPaging;
}

export interface HsSearchResponse {
  total: number;
  results: HsObject[];
  paging?: HsPaging;
}

/** `StandardError`: a per-record error inside a batch response. */
export interface HsStandardError {
  status?: string;
  category?: string;
  subCategory?: string;
  message?: string;
  context?: Record<string, string[] | undefined>;
  errors?: { message?: string; code?: string }[];
  id?: string;
}

/** Batch responses: 200/201 all well, 207 with `errors`. */
export interface HsBatchResponse<T = HsObject> {
  status?: string;
  results: T[];
  errors?: HsStandardError[];
  numErrors?: number;
}

export interface HsSearchFilter {
  propertyName: string;
  operator: 'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE' | 'BETWEEN' | 'HAS_PROPERTY' | 'CONTAINS_TOKEN';
  value?: string;
  highValue?: string;
}

export interface HsSearchRequest {
  filterGroups: { filters: HsSearchFilter[] }[];
  sorts: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: string[];
  limit: number;
  after?: string;
}

export interface HsAssociationType {
  category?: string;
  typeId?: number;
  label?: string | null;
}

export interface HsAssociationBatchResult {
  from: { id: string };
  /** `toObjectId` is a string in the spec and a number in many real responses. */
  to: { toObjectId: string | number; associationTypes?: HsAssociationType[] }[];
  paging?: HsPaging;
}

export interface HsPropertyOption {
  label: string;
  value: string;
  hidden?: boolean;
}

export interface HsProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  hubspotDefined?: boolean;
  hasUniqueValue?: boolean;
  calculated?: boolean;
  hidden?: boolean;
  archived?: boolean;
  numberDisplayHint?: string;
  showCurrencySymbol?: boolean;
  referencedObjectType?: string;
  options?: HsPropertyOption[];
  modificationMetadata?: { readOnlyValue?: boolean; readOnlyDefinition?: boolean; archivable?: boolean };
}

export interface HsPipelineStage {
  id: string;
  label: string;
  displayOrder?: number;
  archived?: boolean;
  /** Real responses encode values as strings (`"isClosed":"true"`, `"probability":"1.0"`). */
  metadata?: { isClosed?: string | boolean; probability?: string | number; [key: string]: unknown };
}

export interface HsPipeline {
  id: string;
  label: string;
  archived?: boolean;
  stages: HsPipelineStage[];
}

/** One event of a webhook delivery (legacy `contact.*`/`deal.*` and generic `object.*` subscriptions). */
export interface HsWebhookEvent {
  eventId?: number | string;
  subscriptionId?: number;
  portalId?: number | string;
  appId?: number;
  occurredAt?: number;
  subscriptionType?: string;
  /** The webhooks doc's example names it `eventType`; real deliveries say `subscriptionType`. */
  eventType?: string;
  objectTypeId?: string;
  attemptNumber?: number;
  objectId?: number | string;
  propertyName?: string;
  propertyValue?: string;
  changeSource?: string;
  changeFlag?: string;
  primaryObjectId?: number | string;
  mergedObjectIds?: (number | string)[];
  newObjectId?: number | string;
  fromObjectId?: number | string;
  toObjectId?: number | string;
  associationType?: string;
  associationRemoved?: boolean;
}
