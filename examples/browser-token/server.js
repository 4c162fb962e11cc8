// "Your backend" for the browser-token example: it holds the API key, mints a short-lived access token
// for the signed-in user, and serves a page that uses only that token. No dependencies: Node 20.
//
//   CGW_API_KEY=<key> node examples/browser-token/server.js   (see README, "From a browser")
//
// CGW_URL: the gateway (default http://127.0.0.1:4000); CGW_CONNECTION_ID: the connection the page may
// read (default: the tenant's first); PORT: this server's port (default 4700). The gateway must allow
// this page's origin: CORS_ORIGINS=http://127.0.0.1:4700.
/* global fetch */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const PAGE = fs.readFileSync(path.join(__dirname, 'index.html'), 'utf8');

async function graphql(gatewayUrl, apiKey, query, variables) {
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`gateway: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data;
}

/** Starts the example backend; resolves with its URL and a close function. */
async function startExampleServer({ apiKey, gatewayUrl, connectionId, port = 4700, host = '127.0.0.1' }) {
  if (!apiKey) throw new Error('CGW_API_KEY must hold an API key (npm start prints one)');
  const connection =
    connectionId ||
    (await graphql(gatewayUrl, apiKey, '{ connections { id } }')).connections.map((c) => c.id)[0];
  if (!connection) throw new Error('the tenant has no connection to hand to the page');

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE.replace('__GATEWAY_URL__', JSON.stringify(gatewayUrl)));
      return;
    }
    if (req.method === 'POST' && req.url === '/token') {
      // A real backend checks its own session here and uses the signed-in user's id as the subject.
      graphql(
        gatewayUrl,
        apiKey,
        `
          mutation Mint($input: CreateAccessTokenInput!) {
            createAccessToken(input: $input) {
              token
              expiresAt
              connectionIds
            }
          }
        `,
        {
          input: {
            scope: 'READ',
            connectionIds: [connection],
            objects: ['CONTACT', 'DEAL'],
            subject: 'demo-user',
            ttlSeconds: 300,
          },
        },
      ).then(
        (data) => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify(data.createAccessToken));
        },
        (err) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: err.message }));
        },
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    url: `http://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

module.exports = { startExampleServer };

if (require.main === module) {
  startExampleServer({
    apiKey: process.env.CGW_API_KEY,
    gatewayUrl: process.env.CGW_URL || 'http://127.0.0.1:4000',
    connectionId: process.env.CGW_CONNECTION_ID,
    port: Number(process.env.PORT || 4700),
  }).then(
    ({ url }) => console.log(`open ${url} (the gateway needs CORS_ORIGINS=${url})`),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
