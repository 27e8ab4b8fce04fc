export { DmsSimulator, type BatchSummary, type DmsSimulatorOptions } from './server.js';
export { FaultPatch, GARBAGE_KINDS, NO_FAULTS, type Faults, type GarbageKind } from './faults.js';
export type { StreamCounters } from './received-store.js';
