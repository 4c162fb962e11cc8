import nock from 'nock';

/**
 * The one way a test loads nock; importing it guards the importing file. nock patches Node's http
 * module, which Jest shares between the files of one worker, so a file that leaves it active breaks
 * every later file in that worker that talks to a real server (sandboxes, the gateway, WebSockets).
 * Hence: no real connection while the file runs, no interceptor left unused after a test, and nock
 * undone after the file.
 */
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

export default nock;
