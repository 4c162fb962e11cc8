// Who the token belongs to (docs/vendors/zoho.md "Organization and users"): `GET /org` (the org id and
// its currency) and `GET /users?type=CurrentUser`.
import { type FastifyInstance } from 'fastify';
import { invalidData } from './errors';
import { apiRoute } from './http';
import { DC_CURRENCY } from './seed';
import { type ZohoServer } from './state';

export function registerIdentityRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'GET', path: '/org' }, (ctx) => {
    const s = ctx.org.state;
    const currency = DC_CURRENCY[s.settings.dc];
    const admin = s.store.user(s.userId);
    return {
      body: {
        org: [
          {
            id: s.orgId,
            company_name: `${ctx.org.id} (sandbox)`,
            domain_name: `org${s.orgId}`,
            primary_email: admin?.email ?? null,
            primary_zuid: s.userId,
            zgid: s.orgId,
            type: 'production',
            time_zone: 'UTC',
            currency: currency.name,
            currency_symbol: currency.symbol,
            iso_code: currency.iso,
            currency_locale: currency.iso,
            max_per_page: 200,
            license_details: {
              paid: s.settings.edition !== 'free',
              paid_type: s.settings.edition,
              users_license_purchased: s.settings.licences,
            },
          },
        ],
      },
    };
  });

  apiRoute(app, server, { method: 'GET', path: '/users' }, (ctx) => {
    const s = ctx.org.state;
    const type = ctx.query.type ?? 'AllUsers';
    const supported = ['AllUsers', 'ActiveUsers', 'AdminUsers', 'CurrentUser'];
    if (!supported.includes(type))
      throw invalidData('invalid data', { param_name: 'type', supported_values: supported });
    const users = type === 'CurrentUser' ? s.store.users.filter((u) => u.id === ctx.userId) : s.store.users;
    return {
      body: {
        users: users.map((u) => ({
          id: u.id,
          full_name: u.full_name,
          email: u.email,
          status: 'active',
          role: { name: u.id === s.userId ? 'CEO' : 'Manager', id: s.orgId },
          profile: { name: u.id === s.userId ? 'Administrator' : 'Standard', id: s.orgId },
          time_zone: 'UTC',
        })),
        info: { per_page: 200, count: users.length, page: 1, more_records: false },
      },
    };
  });
}
