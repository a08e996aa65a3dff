import { conformanceSuite } from './conformance';

conformanceSuite('medblocks');
