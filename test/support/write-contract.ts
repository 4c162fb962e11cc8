import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { type Client } from 'graphql-ws/client';
import { buildGatewaySchema } from '../../src/graphql/schema';
import { wsClient } from '../e2e/support/gateway';

/**
 * The GraphQL surface of writes as a client sees it (the contract the API engineer builds: mutations
 * return WriteOperations, `writeOperationUpdated` pushes every change). `bench:writes` and the
 * reliability tests only call it; until the schema has `upsertContacts` they report what they skip.
 */

export const UPSERT_CONTACTS = `mutation BenchUpsert($c: ID!, $items: [ContactWriteItem!]!, $key: String) {
  upsertContacts(connectionId: $c, items: $items, idempotencyKey: $key) { id status } }`;

export const OPERATION_UPDATES = `subscription BenchOps($c: ID) {
  writeOperationUpdated(connectionId: $c) { id status failure { code retryable } } }`;

export const OPERATIONS_BY_STATUS = `query BenchOpsByStatus($c: ID!, $s: WriteStatus!, $after: String) {
  writeOperations(filter: { connectionId: $c, status: $s }, first: 100, after: $after) {
    nodes { id status failure { code message } } pageInfo { hasNextPage endCursor } } }`;

/** What of the write API `schema` lacks, as a sentence; null when it has all a bench or test calls. */
export function missingWriteApi(schema: GraphQLSchema): string | null {
  const missing: string[] = [];
  if (!schema.getMutationType()?.getFields().upsertContacts) missing.push('Mutation.upsertContacts');
  if (!schema.getQueryType()?.getFields().writeOperations) missing.push('Query.writeOperations');
  if (!schema.getSubscriptionType()?.getFields().writeOperationUpdated)
    missing.push('Subscription.writeOperationUpdated');
  return missing.length ? `the schema has no ${missing.join(', ')}` : null;
}

/** {@link missingWriteApi} of the schema the resolvers build now. */
export async function writeApiMissing(): Promise<string | null> {
  return missingWriteApi(await buildGatewaySchema());
}

/**
 * {@link missingWriteApi} of the committed schema/schema.graphql, read synchronously: what a test file
 * decides at load time whether its scenarios run (test/unit/graphql/schema-file.test.ts keeps the file
 * equal to what the resolvers emit; a guard test compares it with the live schema too).
 */
export function writeApiMissingFromSchemaFile(): string | null {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'schema/schema.graphql'))) {
    if (path.dirname(dir) === dir) return 'schema/schema.graphql was not found';
    dir = path.dirname(dir);
  }
  return missingWriteApi(buildSchema(fs.readFileSync(path.join(dir, 'schema/schema.graphql'), 'utf8')));
}

export const OPERATIONS_PAGE = `query BenchOpsPage($c: ID!, $after: String) {
  writeOperations(filter: { connectionId: $c }, first: 100, after: $after) {
    nodes { id status failure { code retryable } } pageInfo { hasNextPage endCursor } } }`;

/** A GraphQL request's answer body. */
export type GraphqlExec = (
  query: string,
  variables: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** GraphQL over HTTP to the gateway at `url`, with an API key. */
export function execOn(url: string, key: string): GraphqlExec {
  return async (query, variables) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
}

/** Every operation of a connection with its status, paged through `writeOperations`. */
export async function allOperations(exec: GraphqlExec, connectionId: string): Promise<OperationUpdate[]> {
  const out: OperationUpdate[] = [];
  for (let after: string | null = null; ;) {
    const body = await exec(OPERATIONS_PAGE, { c: connectionId, after });
    if (body.errors) throw new Error(`writeOperations: ${JSON.stringify(body.errors).slice(0, 400)}`);
    const page = (
      body.data as {
        writeOperations: {
          nodes: OperationUpdate[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }
    ).writeOperations;
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

export type WriteStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'DEAD' | 'CANCELLED';
export const FINAL = new Set<WriteStatus>(['SUCCEEDED', 'FAILED', 'DEAD', 'CANCELLED']);

export interface OperationUpdate {
  id: string;
  status: WriteStatus;
  failure: { code: string; retryable: boolean } | null;
}

/**
 * Every final state of one connection's operations, pushed by `writeOperationUpdated(connectionId)`,
 * with the real-clock time it arrived: what completion and latency are measured from.
 */
export class OperationWatch {
  readonly finishedAt = new Map<string, number>();
  readonly finals = new Map<string, OperationUpdate>();
  private readonly client: Client;
  private readonly dispose: () => void;

  private constructor(url: string, key: string, connectionId: string, ready: () => void) {
    this.client = wsClient(url, `Bearer ${key}`);
    let first = true;
    this.dispose = this.client.subscribe<{ writeOperationUpdated: OperationUpdate }>(
      { query: OPERATION_UPDATES, variables: { c: connectionId } },
      {
        next: (result) => {
          if (first) {
            first = false;
            ready();
          }
          const op = result.data?.writeOperationUpdated;
          if (!op || !FINAL.has(op.status) || this.finals.has(op.id)) return;
          this.finals.set(op.id, op);
          this.finishedAt.set(op.id, performance.now());
        },
        error: (err) => {
          throw new Error(`writeOperationUpdated failed: ${JSON.stringify(err).slice(0, 300)}`);
        },
        complete: () => undefined,
      },
    );
  }

  /** Subscribes; resolves after a short settle (the subscription sends nothing until a change). */
  static async open(url: string, key: string, connectionId: string): Promise<OperationWatch> {
    let watch!: OperationWatch;
    await new Promise<void>((resolve) => {
      watch = new OperationWatch(url, key, connectionId, resolve);
      setTimeout(resolve, 500);
    });
    return watch;
  }

  /** Resolves once every one of `ids` reached a final state; rejects after `timeoutMs`. */
  async untilAll(ids: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const open = ids.filter((id) => !this.finals.has(id)).length;
      if (open === 0) return;
      if (performance.now() > deadline)
        throw new Error(`${open} of ${ids.length} operations not final after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.dispose();
    await this.client.dispose();
  }
}
