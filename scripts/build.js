#!/usr/bin/env node
// Builds dist/ (tsc, then the runtime assets) unless it is already built from these very inputs.
// Every entry point (`npm start`, `npm run admin|gateway|worker|sandbox`) runs it first: when nothing
// changed it hashes the inputs and exits in a fraction of a second, where tsc alone takes seconds
// even with its own incremental state.
//
//   node scripts/build.js          build when an input changed since the last build
//   node scripts/build.js --force  build anyway
//
// The stamp (dist/.build-stamp) holds a hash of every input of the build: each file under src/ (its
// path and content: .ts and the assets copy-assets.js copies) and under console/ (the operator
// console's browser bundle, built by build-console.js with esbuild), tsconfig.json, package.json (its "type"
// decides the module kind emitted), package-lock.json (the compiler and type packages) and these two
// scripts. It lives in dist/, so deleting dist/ forgets it, and it is written only after a successful
// build, hashed before it started: a file edited during the build makes the next run build again.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const STAMP = 'dist/.build-stamp';
const FIXED_INPUTS = [
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  'scripts/build.js',
  'scripts/copy-assets.js',
  'scripts/build-console.js',
];

/** Every input of the build under `root`, as sorted relative paths (exported for tests). */
function buildInputs(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) found.push(rel);
    }
  };
  walk('src');
  if (fs.existsSync(path.join(root, 'console'))) walk('console');
  const fixed = FIXED_INPUTS.filter((f) => fs.existsSync(path.join(root, f)));
  return [...found.sort(), ...fixed];
}

/** The hash the stamp records: the inputs' paths and contents (exported for tests). */
function inputsHash(root) {
  const h = crypto.createHash('sha256');
  for (const f of buildInputs(root)) {
    h.update(f)
      .update('\0')
      .update(fs.readFileSync(path.join(root, f)))
      .update('\0');
  }
  return h.digest('hex');
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function main() {
  const hash = inputsHash(ROOT);
  const stamp = path.join(ROOT, STAMP);
  const force = process.argv.includes('--force');
  if (!force && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return;
  run([require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', 'tsconfig.json']);
  run([path.join(__dirname, 'copy-assets.js')]);
  run([path.join(__dirname, 'build-console.js')]);
  fs.writeFileSync(stamp, hash);
}

if (require.main === module) main();

module.exports = { buildInputs, inputsHash };
