// A deal's contact roles (docs/vendors/zoho.md "Contact roles"): the contacts taking part in a deal,
// each with a role, listed as contact records carrying `Contact_Role {name, id}` (`fields` required),
// added or changed one contact at a time with PUT, removed with DELETE. From the contact's side, its
// `Deals` related list: the deals it is the `Contact_Name` of or holds a role in (UNVERIFIED which).
import { type FastifyInstance } from 'fastify';
import { invalidData, recordError, ZohoError } from './errors';
import { apiRoute, type Answer, type CallContext } from './http';
import { fieldList, idList } from './records';
import { renderRecord } from './render';
import { type ZohoServer } from './state';
import { type ZohoRecord } from './store';

function dealOf(ctx: CallContext): ZohoRecord {
  const deal = ctx.org.state.store.get('Deals', ctx.params.deal ?? '');
  if (!deal)
    throw invalidData('the related id given seems to be invalid', {
      param_name: 'deal_id',
      id: ctx.params.deal,
    });
  return deal;
}

function list(ctx: CallContext, only?: Set<string>): Answer {
  const deal = dealOf(ctx);
  const store = ctx.org.state.store;
  const fields = fieldList('Contacts', ctx.query.fields, true)!;
  const rows: Record<string, unknown>[] = [];
  for (const [contactId, roleId] of store.contactRoles.get(deal.id) ?? []) {
    const contact = store.get('Contacts', contactId);
    if (!contact || (only && !only.has(contactId))) continue;
    const role = store.roleDefs.find((r) => r.id === roleId);
    rows.push({
      ...renderRecord(store, contact, fields),
      Contact_Role: role ? { name: role.name, id: role.id } : null,
    });
  }
  if (rows.length === 0) return { status: 204 };
  return { body: { data: rows, info: { per_page: 200, count: rows.length, page: 1, more_records: false } } };
}

function put(ctx: CallContext): Answer {
  const deal = dealOf(ctx);
  const store = ctx.org.state.store;
  const contactId = ctx.params.contact ?? '';
  const item = (ctx.body as { data?: unknown[] } | null)?.data?.[0] as { Contact_Role?: unknown } | undefined;
  const raw = item?.Contact_Role;
  const roleRef =
    typeof raw === 'string'
      ? raw
      : raw && typeof raw === 'object'
        ? ((raw as { id?: string; name?: string }).id ?? (raw as { name?: string }).name)
        : undefined;
  let outcome;
  if (!store.get('Contacts', contactId))
    outcome = recordError('INVALID_DATA', 'the related id given seems to be invalid', { id: contactId });
  else if (roleRef === undefined)
    outcome = recordError('MANDATORY_NOT_FOUND', 'required field not found', {
      api_name: 'Contact_Role',
      json_path: '$.data[0].Contact_Role',
    });
  else {
    const role = store.roleDefs.find((r) => r.id === roleRef || r.name === roleRef);
    if (!role)
      outcome = recordError('INVALID_DATA', 'invalid data', {
        api_name: 'Contact_Role',
        json_path: '$.data[0].Contact_Role',
      });
    else {
      const roles = store.contactRoles.get(deal.id) ?? new Map<string, string>();
      roles.set(contactId, role.id);
      store.contactRoles.set(deal.id, roles);
      outcome = {
        code: 'SUCCESS',
        details: { id: contactId },
        message: 'relation updated',
        status: 'success' as const,
      };
    }
  }
  return { status: outcome.status === 'success' ? 200 : 400, body: { data: [outcome] } };
}

function remove(ctx: CallContext): Answer {
  const deal = dealOf(ctx);
  const contactId = ctx.params.contact ?? '';
  const roles = ctx.org.state.store.contactRoles.get(deal.id);
  if (!roles?.delete(contactId))
    return {
      status: 400,
      body: {
        data: [recordError('INVALID_DATA', 'the related id given seems to be invalid', { id: contactId })],
      },
    };
  return {
    body: {
      data: [{ code: 'SUCCESS', details: { id: contactId }, message: 'relation removed', status: 'success' }],
    },
  };
}

/** Deals per related-list page, at most and by default. */
const RELATED_PER_PAGE = 200;

/**
 * `GET /Contacts/{id}/Deals?fields=…&page=&per_page=`: the contact's deals — its `Contact_Name` deals and
 * those where it holds a contact role (our reading, UNVERIFIED), by id; none: 204.
 */
function contactDeals(ctx: CallContext): Answer {
  const store = ctx.org.state.store;
  const contactId = ctx.params.contact ?? '';
  if (!store.get('Contacts', contactId))
    throw invalidData('the related id given seems to be invalid', { param_name: 'id', id: contactId });
  const fields = fieldList('Deals', ctx.query.fields, true)!;
  const page = Number(ctx.query.page ?? '1');
  const perPage = Number(ctx.query.per_page ?? String(RELATED_PER_PAGE));
  if (!Number.isInteger(page) || page < 1) throw invalidData('invalid data', { param_name: 'page' });
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > RELATED_PER_PAGE)
    throw invalidData('invalid data', { param_name: 'per_page' });
  const deals = store
    .all('Deals')
    .filter(
      (d) =>
        (d.values.Contact_Name as { id?: unknown } | undefined)?.id === contactId ||
        store.contactRoles.get(d.id)?.has(contactId),
    )
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const rows = deals.slice((page - 1) * perPage, page * perPage);
  if (rows.length === 0) return { status: 204 };
  return {
    body: {
      data: rows.map((d) => renderRecord(store, d, fields)),
      info: { per_page: perPage, count: rows.length, page, more_records: deals.length > page * perPage },
    },
  };
}

export function registerContactRoleRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'GET', path: '/Contacts/:contact/Deals' }, contactDeals);
  apiRoute(app, server, { method: 'GET', path: '/Deals/:deal/Contact_Roles' }, (ctx) =>
    list(ctx, idList(ctx.query.ids)),
  );
  apiRoute(app, server, { method: 'GET', path: '/Deals/:deal/Contact_Roles/:contact' }, (ctx) => {
    if (!/^\d{1,19}$/.test(ctx.params.contact ?? ''))
      throw new ZohoError(
        404,
        'INVALID_URL_PATTERN',
        'Please check if the URL trying to access is a correct one',
      );
    return list(ctx, new Set([ctx.params.contact!]));
  });
  apiRoute(app, server, { method: 'PUT', path: '/Deals/:deal/Contact_Roles/:contact' }, put);
  apiRoute(app, server, { method: 'DELETE', path: '/Deals/:deal/Contact_Roles/:contact' }, remove);
}
