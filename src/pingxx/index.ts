/**
 * Ping++ adapter on the official `pingpp` SDK.
 * @module
 */
export {};
