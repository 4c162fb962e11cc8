#!/usr/bin/env node
// tsc compiles only .ts: copy the runtime assets that live beside the sources (the ratelimit Lua
// scripts) into dist/, so a deployment that ships only dist/ (the Docker image) finds them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const ASSET = /\.lua$/;

function copy(dir) {
  for (const entry of fs.readdirSync(path.join(root, 'src', dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) copy(rel);
    else if (ASSET.test(entry.name)) {
      fs.mkdirSync(path.join(root, 'dist', dir), { recursive: true });
      fs.copyFileSync(path.join(root, 'src', rel), path.join(root, 'dist', rel));
    }
  }
}

copy('');
