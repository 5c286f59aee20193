/**
 * Kysely reference implementation of the repository ports.
 * @module
 */
export {};
