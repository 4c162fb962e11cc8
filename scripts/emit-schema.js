#!/usr/bin/env node
// Writes schema/schema.graphql from the compiled resolvers (run `npm run build` first; `npm run
// schema:emit` does both). test/unit/graphql/schema-file.test.ts fails while the committed file differs.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { buildGatewaySchema, printGatewaySchema } = require(path.join(root, 'dist/graphql/schema.js'));

buildGatewaySchema()
  .then((schema) => {
    const file = path.join(root, 'schema/schema.graphql');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, printGatewaySchema(schema));
    process.stderr.write(`wrote ${path.relative(root, file)}\n`);
  })
  .catch((err) => {
    process.stderr.write(`schema:emit failed: ${err.stack || err}\n`);
    process.exit(1);
  });
