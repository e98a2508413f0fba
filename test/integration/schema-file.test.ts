import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printAppSchema } from '../../src/graphql/print-schema.js';

describe('schema.graphql', () => {
  it('is up to date with the resolvers (run `npm run schema:emit` when this fails)', async () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await printAppSchema());
  });
});
