'use strict';

module.exports = async function globalTeardown() {
  await globalThis.__CGW_STORES__?.stop();
};
