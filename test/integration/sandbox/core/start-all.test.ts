import { sandboxRegistry, startAllSandboxes } from '../../../../src/sandbox';

describe('startAllSandboxes', () => {
  it('starts every registered vendor on its own port and hands out demo credentials per org', async () => {
    const running = await startAllSandboxes({ seed: 3 });
    try {
      expect(Object.keys(running.sandboxes).sort()).toEqual(Object.keys(sandboxRegistry).sort());
      const urls = new Set<string>();
      for (const s of Object.values(running.sandboxes)) {
        urls.add(s.baseUrl);
        const orgs = (await (await fetch(`${s.baseUrl}/__sandbox/orgs`)).json()) as { id: string }[];
        expect(orgs.map((o) => o.id)).toEqual(Object.keys(s.credentials));
        const served = await (await fetch(`${s.baseUrl}/__sandbox/orgs/default/credentials`)).json();
        expect(served).toEqual(s.credentials.default);
      }
      expect(urls.size).toBe(Object.keys(sandboxRegistry).length);
    } finally {
      await running.close();
    }
  });

  it('falls back to a free port when the asked-for one is taken, and rejects unknown vendors', async () => {
    const first = await startAllSandboxes({ vendors: ['salesforce'], basePort: 0 });
    const port = Number(new URL(first.sandboxes.salesforce!.baseUrl).port);
    const second = await startAllSandboxes({ vendors: ['salesforce'], ports: { salesforce: port } });
    expect(second.sandboxes.salesforce!.baseUrl).not.toBe(first.sandboxes.salesforce!.baseUrl);
    await Promise.all([first.close(), second.close()]);
    await expect(startAllSandboxes({ vendors: ['nope'] })).rejects.toThrow(
      /no sandbox registered for "nope"/,
    );
  });
});
