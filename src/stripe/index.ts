/**
 * Stripe adapter on the official `stripe` SDK.
 * @module
 */
export {};
