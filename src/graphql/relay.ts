import { Field, Int, ObjectType } from 'type-graphql';

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
