#!/usr/bin/env node
// Installs whatever this project needs and is missing, then exits. Idempotent and quiet when there is
// nothing to do, so `npm start`, `npm test` and every entry point can run it first.
//
//   node scripts/setup.js            node_modules, redis-server, the embedded FerretDB build
//   node scripts/setup.js --browser  also Chromium (the GraphiQL and console browser tests)
//
// REQUIRE_BROWSER_TEST=1 (set by .ci/run) makes a Chromium that cannot be installed an error instead of
// a skipped browser test, so CI cannot pass without having run it.
//
// Plain Node with no dependencies: it runs before node_modules exists. Never prompts (CI has no
// terminal): apt-get runs non-interactively and only as root; otherwise it prints what to run.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const wantBrowser = process.argv.includes('--browser');
const browserRequired = process.env.REQUIRE_BROWSER_TEST === '1';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...(options.env || {}) },
    ...options,
  });
  if (result.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
  }
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function hashFiles(files) {
  const h = crypto.createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(fs.readFileSync(path.join(root, f)));
  return h.digest('hex');
}

/** Runs `install` unless `stampFile` already records `hash`; records it afterwards. */
function once(stampFile, hash, install) {
  const stamp = path.join(root, stampFile);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return;
  install();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, hash);
}

let aptUpdated = false;
function aptInstall(packages, why) {
  if (!isRoot || !has('apt-get')) {
    throw new Error(`${why} is missing. Install it with: sudo apt-get install -y ${packages.join(' ')}`);
  }
  log(`installing ${packages.join(' ')} with apt-get (${why})`);
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

function nodeModules() {
  // The stamp lives inside node_modules, so deleting node_modules also forgets it.
  once('node_modules/.setup-lock-hash', hashFiles(['package-lock.json']), () => {
    log('installing npm packages (npm ci): about two minutes on a fresh clone, quiet unless something fails');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  });
}

function redis() {
  if (process.env.REDIS_URL) return;
  if (fs.existsSync('/usr/bin/redis-server') || has('redis-server')) return;
  aptInstall(['redis-server'], 'redis-server (the embedded Redis)');
}

function ferretdb() {
  if (process.env.MONGODB_URI) return;
  const dir = 'tools/ferretdb';
  const binary = path.join(root, '.tools/ferretdb/ferretdb');
  const hash = hashFiles([`${dir}/go.mod`, `${dir}/go.sum`, `${dir}/main.go`, `${dir}/patches.js`]);
  const stamp = '.tools/ferretdb/.source-hash';
  if (
    fs.existsSync(binary) &&
    fs.existsSync(path.join(root, stamp)) &&
    fs.readFileSync(path.join(root, stamp), 'utf8') === hash
  ) {
    return;
  }
  if (!has('go')) {
    throw new Error(
      'the embedded MongoDB-wire store (FerretDB) is built with Go, and Go was not found. Either install Go ' +
        '(https://go.dev/doc/install, or `apt-get install golang`) or set MONGODB_URI to a MongoDB you run.',
    );
  }
  log('building the embedded FerretDB (tools/ferretdb; takes a minute the first time)');
  const build = path.join(root, '.tools/ferretdb/build');
  const source = patchedFerretDbSource(path.join(root, dir));
  // The wrapper module, built against the patched copy of FerretDB (a `replace` in a build copy of go.mod).
  fs.rmSync(build, { recursive: true, force: true });
  fs.mkdirSync(build, { recursive: true });
  for (const file of ['main.go', 'go.sum'])
    fs.copyFileSync(path.join(root, dir, file), path.join(build, file));
  const { MODULE, VERSION } = require(path.join(root, dir, 'patches.js'));
  fs.writeFileSync(
    path.join(build, 'go.mod'),
    `${fs.readFileSync(path.join(root, dir, 'go.mod'), 'utf8')}\nreplace ${MODULE} ${VERSION} => ${source}\n`,
  );
  run('go', ['build', '-o', binary, '.'], { cwd: build });
  fs.writeFileSync(path.join(root, stamp), hash);
}

/** A writable copy of the pinned FerretDB module with tools/ferretdb/patches.js applied; its path. */
function patchedFerretDbSource(wrapperDir) {
  const { MODULE, VERSION, PATCHES } = require(path.join(wrapperDir, 'patches.js'));
  const download = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${VERSION}`], {
    cwd: wrapperDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (download.status !== 0) throw new Error(`\`go mod download ${MODULE}@${VERSION}\` failed`);
  const pristine = JSON.parse(download.stdout).Dir;
  const source = path.join(root, '.tools/ferretdb/src');
  fs.rmSync(source, { recursive: true, force: true });
  fs.cpSync(pristine, source, { recursive: true });
  makeWritable(source); // the module cache is read-only, and so would the copy be (and undeletable)
  for (const patch of PATCHES) {
    const file = path.join(source, patch.file);
    const text = fs.readFileSync(file, 'utf8');
    if (text.split(patch.find).length !== 2) {
      throw new Error(
        `tools/ferretdb/patches.js: the text to patch in ${patch.file} was not found exactly once`,
      );
    }
    fs.writeFileSync(file, text.replace(patch.find, patch.replace));
  }
  return source;
}

function makeWritable(dir) {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else fs.chmodSync(p, 0o644);
  }
}

function chromium() {
  if (fs.existsSync('/usr/bin/chromium')) return;
  try {
    aptInstall(['chromium'], 'Chromium (the GraphiQL and console browser tests)');
  } catch (err) {
    if (browserRequired) {
      throw new Error(`${err.message}; REQUIRE_BROWSER_TEST=1 requires the GraphiQL browser test to run`, {
        cause: err,
      });
    }
    // Not fatal outside CI: the browser test says why it skips.
    log(`${err.message}; the browser test will be skipped`);
  }
}

try {
  const [major] = process.versions.node.split('.').map(Number);
  if (major !== 20)
    log(`warning: this project is pinned to Node 20 and this is Node ${process.versions.node}`);
  nodeModules();
  redis();
  ferretdb();
  if (wantBrowser || browserRequired) chromium();
} catch (err) {
  log(`error: ${err.message}`);
  process.exit(1);
}
