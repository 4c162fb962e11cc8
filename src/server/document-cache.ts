import {
  type DocumentNode,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  type OperationTypeNode,
  parse,
  type ValidationRule,
  validate,
} from 'graphql';
import { BoundedLru } from './bounded-lru';

/**
 * Bounds of the WebSocket path's document cache. Apollo keeps parsed and validated documents for HTTP;
 * graphql-ws has no such cache, so without this every subscribe parses and validates again.
 */
export interface DocumentCacheBounds {
  /** @defaultValue 1000 */
  maxDocuments: number;
  /**
   * Estimated heap of the kept documents, {@link AST_BYTES_PER_CHAR} per character of their texts.
   * @defaultValue 32 MiB (Apollo's own document store keeps about 30 MiB)
   */
  maxBytes: number;
  /** A longer text is parsed and validated on every send, never kept. @defaultValue 32 Ki characters */
  maxDocumentChars: number;
}

/**
 * Heap a parsed document takes per character of its text: graphql-js 16 nodes with locations, measured
 * at about 78 bytes a character for typical read queries (the text itself is a small part of it).
 */
export const AST_BYTES_PER_CHAR = 80;

export const DEFAULT_DOCUMENT_CACHE_BOUNDS: DocumentCacheBounds = {
  maxDocuments: 1000,
  maxBytes: 32 * 1024 * 1024,
  maxDocumentChars: 32 * 1024,
};

export type PreparedDocument =
  | { document: DocumentNode; errors?: undefined }
  /** `type`: the operation's type when the document parsed (metrics label a rejected operation with it). */
  | { errors: GraphQLError[]; type?: OperationTypeNode };

/**
 * Parses and validates a query against one schema and rule set, keeping valid documents by text. Only
 * documents that validated are kept: an invalid one is parsed and validated again on every send (a
 * rejected document costs its sender the work, and fills nothing). Memory: at most `maxBytes` of
 * estimated heap and `maxDocuments` documents, whatever a client sends. The same text always maps to
 * the same DocumentNode while it is kept, which is what lets the operation checks' own cache
 * (src/server/variables.ts) hit.
 */
export class DocumentCache {
  private readonly documents: BoundedLru<DocumentNode>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly bounds: DocumentCacheBounds = DEFAULT_DOCUMENT_CACHE_BOUNDS,
  ) {
    this.documents = new BoundedLru(bounds.maxDocuments, bounds.maxBytes);
  }

  get size(): number {
    return this.documents.size;
  }

  prepare(query: string, operationName?: string | null): PreparedDocument {
    const hit = this.documents.get(query);
    if (hit) return { document: hit };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      const e = err as GraphQLError;
      return {
        errors: [
          new GraphQLError(e.message, {
            nodes: e.nodes,
            source: e.source,
            positions: e.positions,
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          }),
        ],
      };
    }
    const errors = validate(this.schema, document, this.rules);
    if (errors.length > 0) {
      return {
        type: getOperationAST(document, operationName)?.operation,
        errors: errors.map(
          (e) =>
            new GraphQLError(e.message, {
              nodes: e.nodes,
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
        ),
      };
    }
    if (query.length <= this.bounds.maxDocumentChars) {
      this.documents.set(query, document, AST_BYTES_PER_CHAR * query.length);
    }
    return { document };
  }
}
