// The serialized RemoteExecutionContext a webhook delivers (docs/vendors/dynamics.md "Webhooks"): the
// message, the table, the Target entity (for an update: the columns the write set), the output id of
// a Create, and the async step's post image; values in the SDK's JSON forms (OptionSetValue, Money,
// EntityReference, "/Date(ms)/").
import crypto from 'node:crypto';
import { attributeOf, type EntityDef } from './schema';
import { isLookupValue, type StoreChange } from './store';
import { type DynamicsOrgState } from './state';

const CONTRACTS = 'http://schemas.microsoft.com/xrm/2011/Contracts';

function msDate(ms: number): string {
  return `/Date(${ms})/`;
}

function entityReference(entity: string, id: string, name: string | null = null): Record<string, unknown> {
  return {
    __type: `EntityReference:${CONTRACTS}`,
    Id: id,
    KeyAttributes: [],
    LogicalName: entity,
    Name: name,
    RowVersion: null,
  };
}

function sdkValue(entity: EntityDef, name: string, value: unknown): unknown {
  const attribute = attributeOf(entity, name);
  if (value === null || value === undefined || !attribute) return value ?? null;
  if (isLookupValue(value)) return entityReference(value.entity, value.id);
  if (attribute.type === 'Picklist' || attribute.type === 'State' || attribute.type === 'Status')
    return { __type: `OptionSetValue:${CONTRACTS}`, Value: value };
  if (attribute.type === 'Money') return { __type: `Money:${CONTRACTS}`, Value: value };
  if (attribute.type === 'DateTime' && typeof value === 'string') return msDate(Date.parse(value));
  return value;
}

function sdkEntity(
  entity: EntityDef,
  id: string,
  attributes: Record<string, unknown>,
  version: number,
): Record<string, unknown> {
  return {
    __type: `Entity:${CONTRACTS}`,
    Attributes: Object.entries(attributes).map(([key, value]) => ({
      key,
      value: sdkValue(entity, key, value),
    })),
    EntityState: null,
    FormattedValues: [],
    Id: id,
    KeyAttributes: [],
    LogicalName: entity.logicalName,
    RelatedEntities: [],
    RowVersion: String(version),
  };
}

export interface StepInfo {
  id: string;
  name: string;
  stage: number;
  mode: number;
}

export function remoteExecutionContext(
  state: DynamicsOrgState,
  change: StoreChange,
  step: StepInfo,
  correlationId: string,
): Record<string, unknown> {
  const { entity, record } = change;
  const stamps = {
    modifiedon: new Date(record.modifiedOn).toISOString(),
    modifiedby: { id: change.userId, entity: 'systemuser' },
  };
  const target =
    change.kind === 'Delete'
      ? entityReference(entity.logicalName, record.id)
      : sdkEntity(
          entity,
          record.id,
          {
            ...Object.fromEntries(
              (change.kind === 'Create' ? Object.keys(record.values) : change.changed).map((k) => [
                k,
                record.values[k],
              ]),
            ),
            [entity.primaryId]: record.id,
            ...stamps,
          },
          record.version,
        );
  const postImages =
    change.kind !== 'Delete' && step.mode === 1
      ? [
          {
            key: 'AsynchronousStepPrimaryName',
            value: sdkEntity(
              entity,
              record.id,
              { [entity.primaryName]: record.values[entity.primaryName] ?? null },
              record.version,
            ),
          },
        ]
      : [];
  return {
    BusinessUnitId: state.businessUnitId,
    CorrelationId: correlationId,
    Depth: 1,
    InitiatingUserId: change.userId,
    InputParameters: [{ key: 'Target', value: target }],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: change.kind,
    Mode: step.mode,
    OperationCreatedOn: msDate(record.modifiedOn),
    OperationId: crypto.randomUUID(),
    OrganizationId: state.organizationId,
    OrganizationName: state.orgName,
    // The output id of a Create is UNVERIFIED ("Webhooks").
    OutputParameters: change.kind === 'Create' ? [{ key: 'id', value: record.id }] : [],
    OwningExtension: {
      Id: step.id,
      KeyAttributes: [],
      LogicalName: 'sdkmessageprocessingstep',
      Name: step.name,
      RowVersion: null,
    },
    ParentContext: null,
    PostEntityImages: postImages,
    PreEntityImages: [],
    PrimaryEntityId: record.id,
    PrimaryEntityName: entity.logicalName,
    RequestId: null,
    SecondaryEntityName: 'none',
    SharedVariables: [],
    Stage: step.stage,
    UserId: change.userId,
  };
}
