'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const state = globalThis.__CGW_STORES__;
  if (!state) return;
  await state.stores.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
};
