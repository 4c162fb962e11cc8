// v1 users (docs/vendors/pipedrive.md "Base URLs"): `GET /v1/users/me` tells an API-token caller
// its company and `company_domain`, the way to find the company's own API host.
import { type FastifyInstance } from 'fastify';
import { apiRoute } from './http';
import { type PipedriveServer } from './state';

export function registerUserRoutes(app: FastifyInstance, server: PipedriveServer): void {
  apiRoute(app, server, { method: 'GET', path: '/users/me', version: 'v1', kind: 'get' }, (ctx) => {
    const s = ctx.org.state;
    const user = s.store.users.find((u) => u.id === ctx.userId) ?? s.store.users[0];
    return {
      data: {
        id: user?.id,
        name: user?.name,
        email: user?.email,
        company_id: s.companyId,
        company_name: `${s.companyDomain} Inc.`,
        company_domain: s.companyDomain,
        is_admin: user?.id === s.userId ? 1 : 0,
        active_flag: true,
        timezone_name: 'UTC',
        default_currency: 'USD',
        locale: 'en_US',
      },
    };
  });
  apiRoute(app, server, { method: 'GET', path: '/users', version: 'v1', kind: 'list' }, (ctx) => ({
    data: ctx.org.state.store.users.map((u) => ({
      ...u,
      active_flag: true,
      is_admin: u.id === ctx.org.state.userId ? 1 : 0,
    })),
  }));
}
