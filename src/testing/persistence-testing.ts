/** Placeholder barrel, filled by its owner. */
export {};
