import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { stopChild, tail, waitFor } from './child';
import { EmbeddedService, type Launched } from './embedded';

/** Where `scripts/setup.js` builds the FerretDB wrapper (tools/ferretdb). Git-ignored. */
export const FERRETDB_BINARY = path.join(projectRoot(__dirname), '.tools/ferretdb/ferretdb');

/** The nearest folder above `from` with a package.json: right from src/, dist/ and dist-bench/ alike. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export interface EmbeddedFerretDbOptions {
  /** SQLite directory: one file per database. */
  dir: string;
  binary?: string;
}

/**
 * Starts FerretDB (SQLite backend) on a free loopback port and waits until it answers a real query. It
 * can be restarted on the same port and directory ({@link EmbeddedService.restart}).
 */
export async function startEmbeddedFerretDb(options: EmbeddedFerretDbOptions): Promise<EmbeddedService> {
  const binary = options.binary ?? FERRETDB_BINARY;
  if (!fs.existsSync(binary)) {
    throw new Error(
      `the embedded MongoDB-wire store is not built (${binary} is missing). ` +
        'Either install Go and run `npm run setup` (it builds tools/ferretdb), ' +
        'or set MONGODB_URI to a MongoDB you run.',
    );
  }
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  // The first start lets FerretDB pick a free port; a restart asks for the one it picked.
  return EmbeddedService.start('mongodb', (url) =>
    launchFerretDb(binary, options.dir, url ? `127.0.0.1:${new URL(url).port}` : '127.0.0.1:0'),
  );
}

async function launchFerretDb(binary: string, dir: string, listenAddr: string): Promise<Launched> {
  const child = spawn(
    binary,
    ['--listen-addr', listenAddr, '--sqlite-dir', dir, '--exit-with-stdin'],
    // stdin stays a pipe we never close: when this process dies, FerretDB sees EOF and exits.
    // Own process group: Ctrl-C reaches only the orchestrator, which stops the store last.
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const output = tail();
  child.stderr.on('data', output.push);

  const uri = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const match = /FERRETDB_READY (\S+)/.exec(buffered);
      if (match) {
        child.stdout.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`FerretDB exited with ${code}: ${output.text()}`)));
    child.once('error', reject);
  });

  // FerretDB's `ping` answers before the backend is usable: readiness is a real round trip.
  try {
    await waitFor('FerretDB', () => canQuery(uri), {
      fatal: () => (child.exitCode !== null ? `exited with ${child.exitCode}: ${output.text()}` : undefined),
    });
  } catch (err) {
    await stopChild(child, 1000);
    throw err;
  }
  return { child, url: uri };
}

async function canQuery(uri: string): Promise<boolean> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 1000, dbName: 'readiness' });
  try {
    await conn.asPromise();
    await conn.db!.collection('probe').findOne({});
    return true;
  } finally {
    await conn.close().catch(() => undefined);
  }
}
