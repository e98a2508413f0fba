import { Field, Int, ObjectType } from 'type-graphql';
import { AppError } from '../shared/app-error.js';

@ObjectType({ description: 'Relay pagination state.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export const MAX_PAGE_SIZE = 500;

/** Opaque cursors over numeric keys. */
export function encodeCursor(kind: string, id: string): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string): string | null {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const [k, id] = raw.split(':', 2);
  return k === kind && id !== undefined && /^\d{1,20}$/.test(id) ? id : null;
}

export { Int };

/**
 * Checks a connection's `first` and `after` (an AppError with the field otherwise) and returns the
 * key the page continues from.
 */
export function pageStart(kind: string, first: number, after: string | null | undefined): string | null {
  if (first < 0 || first > MAX_PAGE_SIZE)
    throw AppError.badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  const start = after ? decodeCursor(kind, after) : null;
  if (after && start === null) throw AppError.badInput('after is not a valid cursor', 'after');
  return start;
}

/** Edges and page info of a page read with one row more than `first` (that row only tells there is more). */
export function pageOf<T, N>(
  kind: string,
  rows: readonly T[],
  first: number,
  start: string | null,
  keyOf: (row: T) => string,
  toNode: (row: T) => N,
): { edges: { cursor: string; node: N }[]; pageInfo: PageInfo } {
  const edges = rows
    .slice(0, first)
    .map((row) => ({ cursor: encodeCursor(kind, keyOf(row)), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: start !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
