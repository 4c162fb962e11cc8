import { fleetForFile } from './support/fleet';

/**
 * The fleet harness itself, which the scale-out scenarios (issue 23) trust: 2 gateway and 3 worker
 * processes, each its own OS process, serving one tenant over one database and Redis; a gateway
 * killed with -9 comes back on the same URL.
 */
describe('the reliability fleet', () => {
  const fleet = fleetForFile({ prefix: 'cgwfleet' });

  const CONTACTS = `query ($c: ID!) { contacts(connectionId: $c, first: 2) { edges { node { id } } } }`;

  it('runs 2 gateways and 3 workers as separate processes, each gateway serving the tenant', async () => {
    const pids = [...fleet().gateways, ...fleet().workers].map((p) => p.pid);
    expect(new Set([...pids, process.pid]).size).toBe(6);
    expect(new Set(fleet().urls).size).toBe(2);
    for (const i of [0, 1]) {
      const body = await fleet().exec(CONTACTS, { c: fleet().tenant.connections.hubspot }, i);
      expect(body.errors).toBeUndefined();
      expect((body.data as { contacts: { edges: unknown[] } }).contacts.edges).toHaveLength(2);
    }
    expect(() => fleet().exec(CONTACTS, {}, 2)).toThrow('no gateway 2');
  });

  it('kills a gateway with -9 and restarts it on the same URL', async () => {
    const { pid, url } = fleet().gateways[1]!;
    await fleet().gateways[1]!.kill9();
    expect(() => process.kill(pid!, 0)).toThrow();
    await expect(fleet().exec(CONTACTS, { c: fleet().tenant.connections.hubspot }, 1)).rejects.toThrow();
    await fleet().gateways[1]!.restart();
    expect(fleet().gateways[1]!.url).toBe(url);
    expect(fleet().gateways[1]!.starts).toBe(2);
    const body = await fleet().exec(CONTACTS, { c: fleet().tenant.connections.hubspot }, 1);
    expect(body.errors).toBeUndefined();
  });
});
