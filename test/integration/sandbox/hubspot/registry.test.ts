import { startAllSandboxes } from '../../../../src/sandbox';
import { DEMO } from '../../../../src/sandbox/hubspot';

describe('HubSpot in the sandbox registry', () => {
  it('starts through startAllSandboxes and prints its demo credentials', async () => {
    const running = await startAllSandboxes({
      vendors: ['hubspot'],
      orgs: { hubspot: [{ id: 'default', counts: { contacts: 3, deals: 1 } }] },
    });
    try {
      const hs = running.sandboxes.hubspot;
      expect(hs?.credentials.default).toMatchObject({
        portalId: DEMO.portalId,
        appId: DEMO.appId,
        privateAppToken: DEMO.privateAppToken,
        clientId: DEMO.clientId,
        webhookSecret: DEMO.clientSecret,
      });
      const res = await fetch(`${hs?.baseUrl}/crm/v3/objects/contacts`, {
        headers: { authorization: `Bearer ${DEMO.privateAppToken}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
