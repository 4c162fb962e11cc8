import { type TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, type FormattedExecutionResult, print } from 'graphql';
import { type Client } from 'graphql-ws/client';
import { type WriteOpFragment, WriteOperationUpdatedDocument } from '../generated/operations';
import { wsClient } from '../support/gateway';

/** GraphQL over HTTP with the headers a write client sends (an `Idempotency-Key` among them). */
export async function post<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  headers: Record<string, string>,
): Promise<{ status: number; body: FormattedExecutionResult<T> }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: res.status, body: (await res.json()) as FormattedExecutionResult<T> };
}

/** The data of an answer that must have succeeded; its errors as the failure otherwise. */
export function dataOf<T>(result: { body: FormattedExecutionResult<T> }): T {
  if (result.body.errors?.length || !result.body.data) {
    throw new Error(`expected data; got ${JSON.stringify(result.body.errors ?? result.body).slice(0, 600)}`);
  }
  return result.body.data;
}

/** The first error's code and the rest of its extensions. */
export function errorOf(result: { body: FormattedExecutionResult<unknown> }): Record<string, unknown> {
  const error = result.body.errors?.[0];
  if (!error) throw new Error(`expected an error; got ${JSON.stringify(result.body).slice(0, 400)}`);
  return { message: error.message, ...(error.extensions ?? {}) };
}

/** A `writeOperationUpdated` subscription that records what it is pushed. */
export class UpdateLog<T extends { id: string; status: string } = WriteOpFragment> {
  readonly updates: T[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  private readonly client: Client;
  private readonly dispose: () => void;

  /** `document` selects less than the whole operation where a test asks what a smaller selection costs. */
  constructor(
    url: string,
    key: string,
    variables: { ids?: string[]; connectionId?: string },
    document: DocumentNode = WriteOperationUpdatedDocument,
  ) {
    this.client = wsClient(url, `Bearer ${key}`);
    this.dispose = this.client.subscribe<{ writeOperationUpdated: T }>(
      { query: print(document), variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.updates.push(result.data.writeOperationUpdated);
        },
        error: (err) => {
          this.errors.push(err);
        },
        complete: () => {
          this.completed = true;
        },
      },
    );
  }

  /** The statuses pushed for one operation, in order. */
  statuses(id: string): string[] {
    return this.updates.filter((u) => u.id === id).map((u) => u.status);
  }

  async close(): Promise<void> {
    this.dispose();
    await this.client.dispose();
  }
}

export const FINAL = new Set(['SUCCEEDED', 'FAILED', 'DEAD', 'CANCELLED']);
const ORDER = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'DEAD', 'CANCELLED'];

/** Whether a sequence of statuses of one operation (never retried) only moves forward. */
export function movesForward(statuses: readonly string[]): boolean {
  return statuses.every((s, i) => i === 0 || ORDER.indexOf(s) > ORDER.indexOf(statuses[i - 1]!));
}
