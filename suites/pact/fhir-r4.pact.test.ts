import { pactConsumerSuite } from './consumer';

pactConsumerSuite('fhir-r4');
