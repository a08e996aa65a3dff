import { conformanceSuite } from './conformance';

conformanceSuite('nhs-england');
