import { CRM_KINDS } from '../../../src/config/crms';
import { registeredCrms } from '../../../src/connectors/registry';
import { CONFORMANCE_ENTRIES } from './entries';
import { runConformanceSuite } from './suite';

/**
 * Runs the shared suite for every registered connector. A registered connector without an entry fails
 * here; a declared CRM without a connector shows as a todo, so an empty registry never passes silently.
 */
describe('conformance', () => {
  it('has an entry for every registered connector, and none for unregistered ones', () => {
    const registered = registeredCrms();
    expect(registered.filter((crm) => !CONFORMANCE_ENTRIES[crm])).toEqual([]);
    expect(Object.keys(CONFORMANCE_ENTRIES).filter((crm) => !registered.includes(crm as never))).toEqual([]);
  });

  for (const crm of CRM_KINDS.filter((k) => !registeredCrms().includes(k))) {
    it.todo(`${crm}: no connector registered yet, so its conformance suite does not run`);
  }

  for (const crm of registeredCrms()) {
    const entry = CONFORMANCE_ENTRIES[crm];
    if (entry) describe(crm, () => runConformanceSuite(entry));
  }
});
