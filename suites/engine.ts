/** What a conformance suite needs from errspec's engine (see conformance.ts). */
export { checksForProbe } from '../src/engine/evaluate';
export { loadConfig } from '../src/config/load';
export { loadProfile } from '../src/profile/load';
export { planVendor } from '../src/verify/plan';
export { runVendor, writeRunResult } from '../src/verify/run-vendor';
