import crypto from 'node:crypto';
import { type Connection, Types } from 'mongoose';
import { DEFAULT_MAPPINGS } from '../../../src/connectors/registry';
import { applyOverrides, toNative } from '../../../src/mapping/mapper';
import { parseOverrides } from '../../../src/mapping/schema';
import { effectiveMapping } from '../../../src/reads/mappings';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { openStore, type Store } from '../../../src/store';
import { fieldMappingModel } from '../../../src/store/models/field-mapping.model';
import { testStoreUrls, uniqueName } from '../../support/stores';

let store: Store;
let conn: Connection;
beforeAll(async () => {
  const keyRing = new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]);
  store = await openStore({ uri: testStoreUrls().mongodbUri, dbName: uniqueName('fieldmap'), keyRing });
  conn = store.conn;
});
afterAll(async () => {
  await store.conn.dropDatabase();
  await store.close();
});

describe('FieldMapping model (FerretDB)', () => {
  it('stores overrides per connection and object, and they change how records are written', async () => {
    const FieldMapping = fieldMappingModel(conn);
    const connectionId = new Types.ObjectId();
    const overrides = parseOverrides([
      {
        canonical: 'stage',
        native: 'StageName',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
      },
    ]);
    await FieldMapping.updateOne(
      { connectionId, object: 'deal' },
      { $set: { overrides }, $setOnInsert: { tenantId: new Types.ObjectId() }, $inc: { version: 1 } },
      { upsert: true },
    );
    const doc = await FieldMapping.findOne({ connectionId, object: 'deal' }).lean();
    expect(doc?.overrides).toEqual(overrides);
    const mapping = applyOverrides(DEFAULT_MAPPINGS.salesforce.deal, parseOverrides(doc?.overrides));
    expect(toNative(mapping, { fields: { stage: 'Prospecting' } })).toEqual({ StageName: 'Prospecting' });
  });

  it('keeps one document per (connection, object)', async () => {
    const FieldMapping = fieldMappingModel(conn);
    const connectionId = new Types.ObjectId();
    const tenantId = new Types.ObjectId();
    await FieldMapping.create({ tenantId, connectionId, object: 'contact', overrides: [] });
    await expect(
      FieldMapping.create({ tenantId, connectionId, object: 'contact', overrides: [] }),
    ).rejects.toThrow(/duplicate key/i);
  });

  it("reads a stored override today's rules refuse as ignored and reported, and applies the others", async () => {
    // As saved before keys such as `constructor` were refused: reads must go on.
    const connectionId = new Types.ObjectId();
    await fieldMappingModel(conn).collection.insertOne({
      tenantId: new Types.ObjectId(),
      connectionId,
      object: 'contact',
      version: 3,
      overrides: [
        {
          canonical: 'customFields.constructor',
          native: 'Email',
          transform: { kind: 'string' },
          source: 'CRM',
          writable: false,
        },
        {
          canonical: 'customFields.tier',
          native: 'Tier__c',
          transform: { kind: 'string' },
          source: 'CRM',
          writable: false,
        },
      ],
    });
    const effective = await effectiveMapping(
      store.fieldMappings,
      'salesforce',
      connectionId.toString(),
      'contact',
    );
    expect(effective.overrides.map((o) => o.canonical)).toEqual(['customFields.tier']);
    expect(effective.mapping.fields.map((f) => f.canonical)).toContain('customFields.tier');
    expect(effective.mapping.fields.map((f) => f.canonical)).not.toContain('customFields.constructor');
    expect(effective.ignored).toEqual([
      expect.stringMatching(
        /^stored override 0 is ignored: invalid field mapping: overrides\.0\.canonical: expected a name without/,
      ),
    ]);
  });
});

describe('FieldMappingsRepository', () => {
  it('finds nothing for a connection on the defaults, then each replace bumps the version', async () => {
    const connectionId = new Types.ObjectId().toString();
    const tenantId = new Types.ObjectId().toString();
    expect(await store.fieldMappings.find(connectionId, 'deal')).toBeNull();
    const overrides = parseOverrides([{ canonical: 'stage', remove: true }]);
    await store.fieldMappings.replace(tenantId, connectionId, 'deal', overrides);
    expect(await store.fieldMappings.find(connectionId, 'deal')).toEqual({
      overrides,
      version: 1,
      ignored: [],
    });
    await store.fieldMappings.replace(tenantId, connectionId, 'deal', []);
    expect(await store.fieldMappings.find(connectionId, 'deal')).toEqual({
      overrides: [],
      version: 2,
      ignored: [],
    });
    expect(await store.fieldMappings.find(connectionId, 'contact')).toBeNull();
    const effective = await effectiveMapping(store.fieldMappings, 'salesforce', connectionId, 'deal');
    expect(effective).toMatchObject({ overrides: [], version: 2, ignored: [] });
    expect(effective.mapping).toEqual(DEFAULT_MAPPINGS.salesforce.deal);
  });
});
