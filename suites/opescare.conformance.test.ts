import { conformanceSuite } from './conformance';

conformanceSuite('opescare');
