import {
  ContactCustomFieldsDocument,
  FieldMetadataDocument,
  UpdateFieldMappingDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { READ_CRMS, type ReadCrm, type ReadStack, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

/**
 * Custom fields of the CRM's field metadata read as `customFields.<name>` with no updateFieldMapping,
 * at no extra vendor call per request once the connection's metadata is known.
 */

/** The sandboxes' custom contact fields, and what each stored value reads as. */
const CUSTOM: Record<ReadCrm, { tier: string; nps: string; optIn: string }> = {
  salesforce: { tier: 'Customer_Tier__c', nps: 'NPS_Score__c', optIn: 'Newsletter_Opt_In__c' },
  hubspot: { tier: 'customer_tier', nps: 'nps_score', optIn: 'newsletter_opt_in' },
  dynamics: { tier: 'cr8f3_loyaltytier', nps: 'cr8f3_npsscore', optIn: 'cr8f3_newsletteroptin' },
  // A person's custom fields by their label-made names: an enum (read as its option's label), a text
  // and a date (Pipedrive has no number or yes/no field on the sandbox's persons).
  pipedrive: { tier: 'tier', nps: 'background', optIn: 'birthday' },
  // A picklist (read as its value), an integer (read as a number) and the unique text key.
  zoho: { tier: 'Customer_Tier', nps: 'Lifetime_Score', optIn: 'Gateway_Key' },
};

let stack: ReadStack;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('customfields'),
    orgs: {
      salesforce: [{ id: 'default', seed: 11, counts: { Contact: 30, Opportunity: 5, Account: 5 } }],
      hubspot: [{ id: 'default', seed: 11, counts: { contacts: 30, deals: 5 } }],
      dynamics: [{ id: 'default', seed: 11, counts: { contact: 30, opportunity: 5, account: 5 } }],
      pipedrive: [{ id: 'default', seed: 11, counts: { persons: 30, deals: 5 } }],
      zoho: [{ id: 'default', seed: 11, counts: { Contacts: 30, Deals: 5 } }],
    },
  });
});
afterAll(() => stack?.close());

/** The sandbox's own stored custom values by remote id, read from its state (never through our code). */
function storedCustom(crm: ReadCrm): Map<string, Record<string, unknown>> {
  const state = stack.sandboxes.sandboxes[crm]!.server.org('default').state as {
    store: {
      table?(name: string): Map<string, Record<string, unknown>>;
      order?: Record<'contacts', string[]>;
      get?(type: 'contacts', id: string): { properties: Record<string, string> } | undefined;
    };
  };
  const f = CUSTOM[crm];
  const out = new Map<string, Record<string, unknown>>();
  if (crm === 'salesforce') {
    for (const r of state.store.table!('Contact').values()) {
      out.set(String(r.Id), {
        [f.tier]: r[f.tier] ?? null,
        [f.nps]: r[f.nps] == null ? null : String(r[f.nps]),
        [f.optIn]: r[f.optIn] === true,
      });
    }
  } else if (crm === 'dynamics') {
    // Dataverse rows hold a choice as its option value (a number), which reads as its text.
    for (const r of state.store.table!('contact').values()) {
      const v = (r as { values: Record<string, unknown> }).values;
      const text = (x: unknown) => (x === null || x === undefined ? null : String(x));
      out.set(String((r as { id: string }).id), {
        [f.tier]: text(v[f.tier]),
        [f.nps]: text(v[f.nps]),
        [f.optIn]: typeof v[f.optIn] === 'boolean' ? v[f.optIn] : null,
      });
    }
  } else if (crm === 'pipedrive') {
    // Custom values by their per-company hash key; an enum holds its option id, read as the label.
    const company = state as unknown as {
      store: {
        fields: { person: { key: string; name: string; options: { id: number; label: string }[] | null }[] };
        all(o: 'person'): { id: number; custom: Record<string, unknown>; deletedAt: number | null }[];
      };
    };
    const def = (name: string) => company.store.fields.person.find((d) => d.name.toLowerCase() === name)!;
    const [tier, background, birthday] = [def('tier'), def('background'), def('birthday')];
    for (const r of company.store.all('person').filter((p) => p.deletedAt === null)) {
      const option = tier.options!.find((o) => o.id === r.custom[tier.key]);
      out.set(String(r.id), {
        [f.tier]: option?.label ?? null,
        [f.nps]: (r.custom[background.key] as string | undefined) ?? null,
        [f.optIn]: (r.custom[birthday.key] as string | undefined) ?? null,
      });
    }
  } else if (crm === 'zoho') {
    const org = state as unknown as {
      store: { all(m: 'Contacts'): { id: string; values: Record<string, unknown> }[] };
    };
    const text = (x: unknown) => (x === null || x === undefined ? null : String(x));
    for (const r of org.store.all('Contacts')) {
      out.set(r.id, {
        [f.tier]: text(r.values[f.tier]),
        [f.nps]: r.values[f.nps] ?? null,
        [f.optIn]: text(r.values[f.optIn]),
      });
    }
  } else {
    for (const id of state.store.order!.contacts) {
      const p = state.store.get!('contacts', id)!.properties;
      out.set(id, {
        [f.tier]: p[f.tier] || null,
        [f.nps]: p[f.nps] || null,
        [f.optIn]: p[f.optIn] ? p[f.optIn] === 'true' : null,
      });
    }
  }
  return out;
}

describe.each(READ_CRMS)('custom fields on %s', (crm) => {
  it('contacts carry the custom fields’ stored values with no mapping, at one vendor call per list', async () => {
    const t = await stack.tenant(`cf-${crm}`);
    const connectionId = t.connections[crm];
    // The first request learns the connection's metadata (kept per connection); later ones reuse it.
    await request(stack.url, ContactCustomFieldsDocument, { connectionId, first: 1 }, { key: t.key });
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactCustomFieldsDocument,
      { connectionId, first: 20 },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    // One vendor call, metadata included: the custom fields ride on the list's own call.
    const total = Object.values(stack.callLog(crm)).reduce((n, v) => n + v, 0);
    expect({ crm, total }).toEqual({ crm, total: 1 });

    const stored = storedCustom(crm);
    const nodes = res.body.data!.contacts!.nodes;
    expect(nodes).toHaveLength(20);
    for (const c of nodes) {
      const picked = Object.fromEntries(
        Object.keys(stored.get(c.remoteId)!).map((k) => [k, c.customFields[k]]),
      );
      expect({ remoteId: c.remoteId, custom: picked }).toEqual({
        remoteId: c.remoteId,
        custom: stored.get(c.remoteId),
      });
      expect(c.mappingIssues).toEqual([]);
    }
    // Not all null: the comparison above would hold for a mapping that reads nothing.
    expect(nodes.some((c) => typeof c.customFields[CUSTOM[crm].tier] === 'string')).toBe(true);
  });

  it('fieldMetadata shows the custom fields mapped, none skipped', async () => {
    const t = await stack.tenant(`cf-meta-${crm}`);
    const res = await request(
      stack.url,
      FieldMetadataDocument,
      { connectionId: t.connections[crm], object: 'CONTACT' },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const meta = res.body.data!.fieldMetadata!;
    for (const name of Object.values(CUSTOM[crm])) {
      expect(meta.find((f) => f.name === name)).toMatchObject({
        custom: true,
        canonical: `customFields.${name}`,
        skipped: null,
      });
    }
  });

  it('an explicit override wins: a field mapped elsewhere or removed is not read by default', async () => {
    const t = await stack.tenant(`cf-override-${crm}`);
    const connectionId = t.connections[crm];
    const f = CUSTOM[crm];
    const updated = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [
          {
            // A key no CRM's own field has, so the field's default key is seen to be gone.
            canonical: 'customFields.loyalty',
            native: f.tier,
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
          { canonical: `customFields.${f.nps}`, remove: true },
        ],
      },
      { key: t.key },
    );
    expect(updated.body.errors).toBeUndefined();
    const res = await request(
      stack.url,
      ContactCustomFieldsDocument,
      { connectionId, first: 20 },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const stored = storedCustom(crm);
    for (const c of res.body.data!.contacts!.nodes) {
      expect(c.customFields).not.toHaveProperty(f.tier);
      expect(c.customFields).not.toHaveProperty(f.nps);
      expect({ remoteId: c.remoteId, tier: c.customFields.loyalty, optIn: c.customFields[f.optIn] }).toEqual({
        remoteId: c.remoteId,
        tier: stored.get(c.remoteId)![f.tier],
        optIn: stored.get(c.remoteId)![f.optIn],
      });
    }
    const meta = await request(
      stack.url,
      FieldMetadataDocument,
      { connectionId, object: 'CONTACT' },
      { key: t.key },
    );
    const byName = new Map(meta.body.data!.fieldMetadata!.map((m) => [m.name, m]));
    expect(byName.get(f.tier)?.canonical).toBe('customFields.loyalty');
    expect(byName.get(f.nps)?.canonical).toBeNull();
    expect(byName.get(f.optIn)?.canonical).toBe(`customFields.${f.optIn}`);
  });
});
