import { pactConsumerSuite } from './consumer';

pactConsumerSuite('nhs-england');
