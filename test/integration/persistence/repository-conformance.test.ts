/**
 * The published repository conformance suite, run against the in-memory implementation and the Kysely
 * implementation on every database of the matrix (SQLite always; PostgreSQL and MySQL when configured).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';
import { runRepositoryConformance } from '../../../src/testing/repository-conformance.js';
import { testDialects } from '../../helpers/databases.js';
import { inMemoryRawReadPath } from '../../unit/persistence/in-memory-raw-read-path.js';
import { kyselyConformanceSubject } from './kysely-raw-read-path.js';

const runner = { describe, it, beforeAll, afterAll };

runRepositoryConformance({
  name: 'in-memory',
  runner,
  create: async () => {
    const repositories = createInMemoryRepositories();
    return { repositories, raw: inMemoryRawReadPath(repositories) };
  },
});

for (const dialect of testDialects()) {
  runRepositoryConformance({
    name: `kysely/${dialect.name}`,
    runner,
    create: () => kyselyConformanceSubject(dialect),
  });
}
