export {
  assertInvariants,
  readOrders,
  InvariantError,
  type InvariantReport,
  type InvariantSubject,
} from './assert-invariants.js';
export type { OrderFacts, Recording, SeenTransition } from './invariant-checks.js';
export type { OrderSource } from './order-reader.js';
export { paymentRecordsOf, type PaymentRecord } from './payment-records.js';
export { TransitionRecorder, recordingOf, restrictRecording } from './transition-recorder.js';
