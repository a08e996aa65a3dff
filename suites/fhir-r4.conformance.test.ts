import { conformanceSuite } from './conformance';

conformanceSuite('fhir-r4');
