import { lexicographicSortSchema, printSchema } from 'graphql';
import { createMemoryPubSub } from '../shared/pubsub.js';
import { buildAppSchema } from './schema.js';

/** The SDL committed as `schema.graphql` (sorted, so diffs stay small). */
export async function printAppSchema(): Promise<string> {
  const schema = await buildAppSchema(createMemoryPubSub());
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
