// $batch over raw HTTP: the documented multipart response, atomic change sets, Content-ID
// references, the stop / continue policy, and malformed bodies answered as errors.
import { API, startDynamics } from './helpers';

const CRLF = '\r\n';

function part(method: string, url: string, body?: unknown, contentId?: string): string {
  return [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    '',
    `${method} ${url} HTTP/1.1`,
    body === undefined ? 'Accept: application/json' : 'Content-Type: application/json;type=entry',
    '',
    body === undefined ? '' : JSON.stringify(body),
  ].join(CRLF);
}

function changeSet(boundary: string, parts: string[]): string {
  return [
    `Content-Type: multipart/mixed;boundary=${boundary}`,
    '',
    ...parts.map((p) => `--${boundary}${CRLF}${p}`),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

function batch(boundary: string, items: string[]): string {
  return `${items.map((i) => `--${boundary}${CRLF}${i}`).join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
}

describe('Dataverse sandbox: $batch', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeAll(async () => {
    ctx = await startDynamics({ contact: 10, opportunity: 4, account: 3 });
  });
  afterAll(async () => {
    await ctx.live.close();
  });
  const contacts = () => ctx.server.org().state.store.table('contact').size;
  const send = (body: string, headers: Record<string, string> = {}) =>
    ctx.call('POST', `${API}/$batch`, {
      body,
      headers: { 'content-type': 'multipart/mixed;boundary=batch_AAA', ...headers },
    });

  it('answers a change set and a GET with the documented multipart parts', async () => {
    const root = `${ctx.live.baseUrl}${API}`;
    const body = batch('batch_AAA', [
      changeSet('changeset_BBB', [
        part('POST', `${root}/contacts`, { firstname: 'A', lastname: 'One' }, '1'),
        part('PATCH', '$1', { telephone1: '555-0101' }, '2'),
      ]),
      part('GET', `${root}/contacts?$select=fullname&$filter=lastname eq 'One'`),
    ]);
    const res = await send(body);
    expect(res.status).toBe(200);
    const boundary = /boundary=(batchresponse_[0-9a-f-]+)/.exec(String(res.headers.get('content-type')))?.[1];
    expect(boundary).toBeDefined();
    expect(res.text.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(res.text.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(res.text).toMatch(
      /Content-Type: multipart\/mixed; boundary=changesetresponse_[0-9a-f-]+\r\n\r\n--changesetresponse_/,
    );
    expect(res.text).toMatch(
      /Content-ID: 1\r\n\r\nHTTP\/1.1 204 No Content\r\n(.*\r\n)*OData-EntityId: .*contacts\([0-9a-f-]{36}\)/,
    );
    expect(res.text).toMatch(/Content-ID: 2\r\n\r\nHTTP\/1.1 204 No Content/);
    expect(res.text).toMatch(/HTTP\/1.1 200 OK\r\nContent-Type: application\/json; odata.metadata=minimal/);
    expect(res.text).toContain('"fullname":"A One"');
    const created = ctx.server.org().state.store.findByKey('contact', { lastname: 'One' });
    expect(created?.values.telephone1).toBe('555-0101');
  });

  it('rolls a failed change set back and answers its failure as one part; stops the batch without continue-on-error', async () => {
    const before = contacts();
    const body = batch('batch_AAA', [
      changeSet('changeset_C', [
        part('POST', 'contacts', { lastname: 'Kept?' }, '1'),
        part('POST', 'contacts', { lastname: 7 }, '2'),
      ]),
      part('GET', 'contacts?$top=1'),
    ]);
    const res = await send(body);
    expect(res.status).toBe(400);
    expect(contacts()).toBe(before);
    expect(res.text.match(/HTTP\/1.1 /g)).toHaveLength(1);
    expect(res.text).toMatch(/Content-ID: 2\r\n\r\nHTTP\/1.1 400 Bad Request/);
    const cont = await send(body, { prefer: 'odata.continue-on-error' });
    expect(cont.status).toBe(200);
    expect(cont.headers.get('preference-applied')).toBe('odata.continue-on-error');
    expect(cont.text.match(/HTTP\/1.1 /g)).toHaveLength(2);
    expect(contacts()).toBe(before);
  });

  it('answers a Content-ID referenced before it is declared as a part error', async () => {
    const res = await send(
      batch('batch_AAA', [changeSet('changeset_D', [part('PATCH', '$9', { lastname: 'x' }, '1')])]),
    );
    expect(res.text).toContain("Content-ID Reference: '$9' does not exist in the batch context.");
  });

  it('refuses more than 1,000 requests, a GET in a change set, nested batches and broken bodies', async () => {
    const many = batch(
      'batch_AAA',
      Array.from({ length: 1001 }, () => part('GET', 'contacts?$top=1')),
    );
    const tooMany = await send(many);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toBe(
      'The number of requests in the batch (1001) exceeds the maximum of 1000.',
    );
    const getInSet = await send(
      batch('batch_AAA', [changeSet('changeset_E', [part('GET', 'contacts', undefined, '1')])]),
    );
    expect(getInSet.text).toContain('A change set may not contain GET requests.');
    const nested = await send(batch('batch_AAA', [part('POST', '$batch', {})]));
    expect(nested.text).toContain('Batches cannot be nested.');
    for (const broken of [
      '',
      'garbage',
      '--batch_AAA\r\nContent-Type: application/http\r\n\r\nNOT A REQUEST LINE\r\n--batch_AAA--',
      '--batch_AAA\r\nno closing delimiter',
    ]) {
      const res = await send(broken);
      // Either the whole body is refused, or the batch stops at the part that is malformed.
      expect(res.status).toBe(400);
      if (res.json) expect(res.json.error.code).toBe('0x80060888');
      else expect(res.text).toContain('HTTP/1.1 400 Bad Request');
    }
    const noBoundary = await ctx.call('POST', `${API}/$batch`, {
      body: 'x',
      headers: { 'content-type': 'multipart/mixed' },
    });
    expect(noBoundary.status).toBe(400);
    const badJson = await send(
      batch('batch_AAA', [
        part('POST', 'contacts', undefined).replace(
          'Accept: application/json\r\n\r\n',
          'Content-Type: application/json\r\n\r\n{oops',
        ),
      ]),
    );
    expect(badJson.text).toContain("The batch part's body is not valid JSON");
  });

  it('counts the batch as one request in the log, and its writes as items', async () => {
    ctx.server.org().log.clear();
    await send(
      batch('batch_AAA', [
        changeSet('changeset_F', [
          part('POST', 'contacts', { lastname: 'L1' }, '1'),
          part('POST', 'contacts', { lastname: 'L2' }, '2'),
        ]),
      ]),
    );
    expect(ctx.server.org().log.total).toBe(1);
    expect(ctx.server.org().log.writeBatchSizes()).toEqual([[2, 1]]);
  });
});
