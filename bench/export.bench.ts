/**
 * `npm run bench:export`: a connection's first sync of `--contacts` (default 50,000) sandbox Salesforce
 * contacts through `exportRecords`, once by REST keyset pages (threshold out of reach) and once by one
 * Bulk API 2.0 query job (threshold 1), each page read by a new connector as a backfill job would. Prints
 * `BENCH` lines: wall time, records/s and vendor calls per path.
 *
 * What it measures is the gateway's side (requests, CSV parsing and typing vs JSON) against a sandbox
 * on the same machine. The sandbox runs a query job in `bulkProcessingMs` (50 ms by default), while
 * Salesforce takes seconds to minutes to schedule and run one, so the Bulk time here is a lower bound
 * and the call counts are the figure that carries over to a real org.
 *   --contacts=N   --page=N (page size hint for both paths; default: each path's own)
 */
import { type CrmConnector } from '../src/connectors/types';
import { startThrowawayStores } from '../src/runtime/services';
import {
  type SalesforceConformanceSandbox,
  salesforceTarget,
  startSalesforceConformance,
} from '../test/integration/conformance/salesforce.target';
import { arg, runBench } from './support/bench-cli';

interface Run {
  seconds: number;
  records: number;
  pages: number;
  calls: number;
}

async function exportAll(sb: SalesforceConformanceSandbox, pageSize: number | undefined): Promise<Run> {
  sb.clearLog();
  const started = process.hrtime.bigint();
  let cursor: string | null = null;
  let records = 0;
  let pages = 0;
  do {
    const connector: CrmConnector = sb.connector('background');
    const page = await connector.exportRecords!('contact', { cursor, pageSize });
    records += page.items.length;
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, records, pages, calls: sb.log().length };
}

async function main(): Promise<void> {
  const contacts = arg('contacts', 50_000);
  const page = arg('page', 0) || undefined;
  const stores = await startThrowawayStores('bench-export', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  // The conformance target reads its stores from the test environment.
  process.env.TEST_MONGODB_URI = stores.mongodbUri;
  process.env.TEST_REDIS_URL = stores.redisUrl;
  try {
    const paths = [
      ['rest', { exportBulkThreshold: Number.MAX_SAFE_INTEGER }],
      ['bulk', { exportBulkThreshold: 1, bulkPollIntervalMs: 25 }],
    ] as const;
    for (const [name, settings] of paths) {
      const sb = await startSalesforceConformance({ counts: { contact: contacts, deal: 1 }, settings });
      try {
        await salesforceTarget.unthrottle(sb);
        const live = sb.liveIds('contact').length;
        const run = await exportAll(sb, page);
        if (run.records !== live)
          throw new Error(`${name}: exported ${run.records} of ${live} live contacts`);
        const p = `BENCH export.salesforce.${name}`;
        console.log(`${p}.seconds ${run.seconds.toFixed(2)} s`);
        console.log(`${p}.records_per_s ${(run.records / run.seconds).toFixed(0)} records/s`);
        console.log(`${p}.records ${run.records} records`);
        console.log(`${p}.pages ${run.pages} pages`);
        console.log(`${p}.vendor_calls ${run.calls} calls`);
      } finally {
        await sb.close();
      }
    }
  } finally {
    await stores.stop();
  }
}

runBench(main);
