import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CRM_KINDS } from '../../../src/connectors/registry';
import { CONFORMANCE_TARGETS } from './targets';

/**
 * Every registered connector runs the one conformance suite: it has a target, and its conformance file
 * calls `describeConformance` with that target (the suites themselves run in those files, in parallel
 * workers).
 */
const ROOT = path.resolve(__dirname, '../../..');

describe('conformance', () => {
  it('has a target for every registered connector, and none for unregistered ones', () => {
    const registered = CRM_KINDS;
    expect(registered.filter((crm) => !CONFORMANCE_TARGETS[crm])).toEqual([]);
    expect(Object.keys(CONFORMANCE_TARGETS).filter((crm) => !registered.includes(crm as never))).toEqual([]);
    for (const [crm, entry] of Object.entries(CONFORMANCE_TARGETS)) expect(entry?.target.crm).toBe(crm);
  });

  it.each(CRM_KINDS)('%s: its conformance file runs describeConformance on its target', (crm) => {
    const entry = CONFORMANCE_TARGETS[crm];
    if (!entry) throw new Error(`${crm} has no conformance target`);
    const source = readFileSync(path.join(ROOT, entry.file), 'utf8');
    expect(source).toMatch(new RegExp(`^describeConformance\\(${entry.name}\\);$`, 'm'));
  });
});
