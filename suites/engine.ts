/** What a conformance suite needs from errspec's engine, in one module it can load either way (see conformance.ts). */
export { checksForProbe } from '../src/engine/evaluate';
export { loadConfig } from '../src/config/load';
export { loadProfile } from '../src/profile/load';
export { watchInterrupt } from '../src/verify/interrupt';
export { planVendor } from '../src/verify/plan';
export { runVendor, writeRunResult } from '../src/verify/run-vendor';
export { exchangeLine } from '../reporters/console';
