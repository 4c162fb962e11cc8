import { type Connection, Types } from 'mongoose';
import { DEFAULT_MAPPINGS } from '../../../src/connectors/registry';
import { applyOverrides, toNative } from '../../../src/mapping/mapper';
import { parseOverrides } from '../../../src/mapping/schema';
import { MappingStore } from '../../../src/reads/mappings';
import { fieldMappingModel } from '../../../src/store/models/field-mapping.model';
import { connectTestDatabase, dropTestDatabase } from '../../support/stores';

let conn: Connection;
beforeAll(async () => {
  conn = await connectTestDatabase('fieldmap');
  await fieldMappingModel(conn).createIndexes();
});
afterAll(() => dropTestDatabase(conn));

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
    const effective = await new MappingStore({ conn }).effective(
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
