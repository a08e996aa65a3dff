import { conformanceSuite } from './conformance';

conformanceSuite('healthcloud');
