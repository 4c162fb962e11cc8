#!/usr/bin/env node
// Bundles the operator console (console/main.tsx, TSX with Preact) into dist/console/ with esbuild:
// one minified script and one stylesheet, each named by its content hash, and manifest.json naming
// them (read by src/server/console.ts, which serves them with immutable caching). Only this browser
// bundle uses esbuild; the server keeps tsc (type-graphql needs decorator metadata). esbuild does not
// type-check: `npm run typecheck` runs tsc on console/tsconfig.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'console');

async function buildConsole() {
  fs.rmSync(OUT, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { console: 'console/main.tsx' },
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: OUT,
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`expected one .js and one .css from esbuild, got ${outputs.join(', ')}`);
  fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify({ js, css }) + '\n');
  return { js, css };
}

if (require.main === module) {
  buildConsole().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

module.exports = { buildConsole };
