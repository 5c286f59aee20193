/**
 * Ping++ test kit: a local Ping++ emulator the real `pingpp` SDK talks to, and webhook signing helpers.
 * @module
 */
export { startPingxxEmulator } from './pingxx-emulator/pingxx-emulator.js';
export type {
  PingxxEmulator,
  PingxxEmulatorControls,
  PingxxEmulatorDelivery,
  PingxxEmulatorFailure,
  PingxxEmulatorOptions,
  PingxxEmulatorProviderOptions,
  PingxxEmulatorRequest,
} from './pingxx-emulator/emulator-types.js';
export type { EmulatorRefundMode as PingxxEmulatorRefundMode } from './pingxx-emulator/emulator-store.js';
export {
  generatePingxxTestKeyPair,
  signPingxxWebhook,
  type PingxxTestKeyPair,
  type SignedPingxxWebhook,
} from './pingxx-signer.js';
