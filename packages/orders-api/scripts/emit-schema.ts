// `pnpm --filter @oms/orders-api schema:emit`: writes the GraphQL schema, as built from the
// resolvers, to schema.graphql. That file is the API's contract: the web app generates its
// operation types from it, and test/schema-file.test.ts fails while it is stale.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildOrdersSchema } from '../src/graphql/schema.js';

/** Where the schema's SDL is committed. */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

const HEADER = `# orders-api's GraphQL schema, written from its resolvers by
# \`pnpm --filter @oms/orders-api schema:emit\`: do not edit by hand.
`;

/**
 * The schema's SDL as committed. Sorted, so that it changes when the API does and not when
 * the resolvers move between files (type-graphql registers types in import order).
 */
export async function printOrdersSchema(): Promise<string> {
  const schema = await buildOrdersSchema();
  return `${HEADER}\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_FILE, await printOrdersSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
