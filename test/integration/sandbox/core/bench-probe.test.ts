import { sandboxRegistry } from '../../../../src/sandbox/registry';

// `npm run bench:sandbox` loops over the registry and hammers each vendor's declared request; a
// vendor without one, or whose request is not a plain 200, would break (or mis-measure) the bench.
describe('bench probes of the registered sandboxes', () => {
  it.each(Object.keys(sandboxRegistry))(
    '%s declares a bench request that answers 200 on its bench org, attributed to that org',
    async (vendor) => {
      const server = sandboxRegistry[vendor]!({ orgs: [] });
      const probe = server.vendor.bench;
      expect(probe).toBeDefined();
      const org = server.createOrg({ id: 'bench', ...probe!.org });
      const live = await server.listen();
      try {
        const { path, headers } = probe!.request(org);
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`${live.baseUrl}${path}`, { headers });
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual(expect.any(Object));
        }
        expect(org.log.total).toBe(3);
        expect(org.log.snapshot(3).entries.every((e) => e.status === 200 && e.method === 'GET')).toBe(true);
      } finally {
        await live.close();
      }
    },
  );
});
