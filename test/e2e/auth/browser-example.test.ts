import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ContactPageDocument } from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

/**
 * The README's "From a browser" example, run as a reader would run it (its own process, the API key in
 * its environment): its backend mints a token for the page, and that token reads the gateway.
 */
const EXAMPLE = path.resolve(__dirname, '../../../examples/browser-token/server.js');
let stack: ReadStack;
let t: ReadTenant;
let example: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('tokex'),
    orgs: {
      salesforce: [{ id: 'default', seed: 7, counts: { Contact: 2, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 7, counts: { contacts: 2, deals: 1 } }],
    },
  });
  t = await stack.tenant('example', 'read');
});
afterAll(async () => {
  example?.kill();
  await stack?.close();
});

it('mints a READ token for the page, which reads its connection with it', async () => {
  example = spawn(process.execPath, [EXAMPLE], {
    env: {
      ...process.env,
      CGW_API_KEY: t.key,
      CGW_URL: stack.url,
      CGW_CONNECTION_ID: t.connections.hubspot,
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  example.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    example!.stdout!.on('data', (d: Buffer) => {
      const m = /open (http:\/\/\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    example!.once('exit', (code) => reject(new Error(`the example exited ${code}: ${stderr}`)));
  });

  const page = await (await fetch(url)).text();
  expect(page).toContain(JSON.stringify(stack.url));
  expect(page).not.toContain(t.key);

  const res = await fetch(`${url}/token`, { method: 'POST' });
  expect(res.status).toBe(200);
  const minted = (await res.json()) as { token: string; expiresAt: string; connectionIds: string[] };
  expect(minted.connectionIds).toEqual([t.connections.hubspot]);
  const read = await request(
    stack.url,
    ContactPageDocument,
    { connectionId: t.connections.hubspot, first: 2 },
    { authorization: `Bearer ${minted.token}` },
  );
  expect(read.body.errors).toBeUndefined();
  expect(read.body.data!.contacts!.edges).toHaveLength(2);
});
