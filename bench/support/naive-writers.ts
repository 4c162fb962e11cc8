import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { v2 as pipedrive } from 'pipedrive';
import { type RunningSandbox } from '../../src/sandbox';

/**
 * The peers of `bench:writes`: what a backend does without the gateway — one record per call through
 * the vendor's official client, with the client's own retry behaviour and nothing else (no budget, no
 * batching). `concurrency` calls are in flight at once, as an app firing requests from a loop would.
 */

export interface NaiveResult {
  /** Records the client was told were written. */
  written: number;
  seconds: number;
  /** Vendor API calls the sandbox logged (retries included). */
  calls: number;
  /** Rate-limit refusals the sandbox answered (HubSpot: 429; Salesforce: 403 REQUEST_LIMIT_EXCEEDED). */
  vendorRefusals: number;
  /** Records whose call ended in an error that reached the client (after its own retries). */
  clientErrors: number;
  /** The first such error's text, for the reader of a run with errors. */
  firstError?: string;
}

export interface NaiveOptions {
  sandbox: RunningSandbox;
  /** The sandbox org the peer writes to: its own, so its limits are not shared with another phase. */
  org: string;
  records: number;
  concurrency: number;
  /** A tag in every record (email / last name), so runs never collide. */
  tag: string;
}

/** Runs `count` tasks with at most `concurrency` at once; returns the errors by index. */
async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        try {
          await task(i);
        } catch (err) {
          errors.push(err);
        }
      }
    }),
  );
  return errors;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  // Some clients reject with a plain object (the pipedrive client: the response's status and body).
  if (typeof err === 'object' && err !== null) return JSON.stringify(err).slice(0, 300);
  return String(err).slice(0, 300);
}

async function measure(
  options: NaiveOptions,
  refusalStatus: number,
  write: (i: number) => Promise<void>,
): Promise<NaiveResult> {
  const log = options.sandbox.server.org(options.org).log;
  log.clear();
  const started = performance.now();
  const errors = await pool(options.records, options.concurrency, write);
  const seconds = (performance.now() - started) / 1000;
  return {
    written: options.records - errors.length,
    seconds,
    calls: log.total,
    vendorRefusals: log.countStatus(refusalStatus),
    clientErrors: errors.length,
    ...(errors.length ? { firstError: describeError(errors[0]) } : {}),
  };
}

/**
 * @hubspot/api-client 14 with a private-app token and its retry decorator at the most it allows (6
 * attempts; it waits 10 s × attempt after a TEN_SECONDLY_ROLLING 429, 200 ms × attempt after a 5xx).
 * The client prints a line per retry on console.error: counted here, not printed.
 */
export async function naiveHubSpot(options: NaiveOptions): Promise<NaiveResult & { clientRetries: number }> {
  const creds = options.sandbox.credentials[options.org];
  if (!creds) throw new Error(`the HubSpot sandbox has no org ${options.org}`);
  const client = new Client({
    accessToken: String(creds.privateAppToken),
    basePath: options.sandbox.baseUrl,
    numberOfApiCallRetries: 6,
  });
  let clientRetries = 0;
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Request failed with status code')) clientRetries++;
    else consoleError(...args);
  };
  try {
    const result = await measure(options, 429, async (i) => {
      await client.crm.contacts.basicApi.create({
        properties: {
          email: `naive-${options.tag}-${i}@example.org`,
          firstname: 'Naive',
          lastname: `Peer ${i}`,
        },
        associations: [],
      });
    });
    return { ...result, clientRetries };
  } finally {
    console.error = consoleError;
  }
}

/**
 * jsforce 3 with the org's access token: `sobject('Contact').create` per record. jsforce retries 420,
 * 429 and 5xx answers and connection errors itself (up to 5 times, exponential from 500 ms);
 * Salesforce refuses a spent allocation with 403 REQUEST_LIMIT_EXCEEDED, which it does not retry.
 */
export async function naiveSalesforce(options: NaiveOptions): Promise<NaiveResult> {
  const creds = options.sandbox.credentials[options.org];
  if (!creds) throw new Error(`the Salesforce sandbox has no org ${options.org}`);
  const conn = new jsforce.Connection({
    instanceUrl: String(creds.instanceUrl),
    accessToken: String(creds.accessToken),
    version: String(creds.apiVersion).replace(/^v/, ''),
  });
  return measure(options, 403, async (i) => {
    const result = await conn.sobject('Contact').create({
      FirstName: 'Naive',
      LastName: `Peer ${options.tag} ${i}`,
      Email: `naive-${options.tag}-${i}@example.org`,
    });
    if (!result.success) throw new Error(JSON.stringify(result.errors).slice(0, 300));
  });
}

/**
 * The official `pipedrive` client 33 (v2 PersonsApi) with the company's API token, one `addPerson` per
 * record. The client retries nothing: a 429 (burst or daily budget) reaches the caller as an error.
 */
export async function naivePipedrive(options: NaiveOptions): Promise<NaiveResult> {
  const creds = options.sandbox.credentials[options.org];
  if (!creds) throw new Error(`the Pipedrive sandbox has no org ${options.org}`);
  const api = new pipedrive.PersonsApi(
    new pipedrive.Configuration({ apiKey: String(creds.apiToken), basePath: String(creds.v2BaseUrl) }),
  );
  return measure(options, 429, async (i) => {
    await api.addPerson({
      AddPersonRequest: {
        name: `Naive Peer ${options.tag} ${i}`,
        emails: [{ value: `naive-${options.tag}-${i}@example.org`, primary: true, label: 'work' }],
      },
    });
  });
}
