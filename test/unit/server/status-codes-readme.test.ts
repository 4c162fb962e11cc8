import fs from 'node:fs';
import path from 'node:path';
import { WS_CLOSE } from '../../../src/server/websocket';

/**
 * The README's table of HTTP statuses and WebSocket close codes is what clients are built against:
 * every close code the server uses is in it, and it names no code the server does not use.
 */
const ROOT = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function webSocketColumn(): string[] {
  const match = /<!-- status-codes:start -->([\s\S]*?)<!-- status-codes:end -->/.exec(readme);
  if (!match)
    throw new Error('README.md has no <!-- status-codes:start --> … <!-- status-codes:end --> block');
  return match[1]!
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1) // the header
    .map((line) => line.split('|')[3] ?? '');
}

describe("README's status and close-code table", () => {
  it('lists every WebSocket close code the server uses, and no other', () => {
    const documented = new Set(
      webSocketColumn().flatMap((cell) => cell.match(/\b(?:1\d{3}|4\d{3})\b/g) ?? []),
    );
    expect([...documented].sort()).toEqual([...new Set(Object.values(WS_CLOSE).map(String))].sort());
  });
});
