/**
 * Persistence test kit: in-memory repositories and the repository conformance suite.
 * @module
 */
export {
  createInMemoryRepositories,
  type InMemoryPaymentRepositories,
  type InMemoryRepositoriesOptions,
  type InMemorySnapshot,
} from './in-memory-repositories.js';
export {
  runRepositoryConformance,
  type ConformanceRunner,
  type ConformanceSubject,
  type ConformanceContext,
  type RawReadPath,
  type RawOrder,
  type RawAttempt,
  type RawEvent,
  type RawRefund,
  type RawOutboxRow,
  type RepositoryConformanceOptions,
} from './repository-conformance.js';
export {
  createInMemoryMerchantAccounts,
  type InMemoryMerchantAccounts,
  type InMemoryMerchantAccountCalls,
  type InMemoryMerchantAccountsOptions,
} from './in-memory-merchant-accounts.js';
