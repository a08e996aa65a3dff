import { pactConsumerSuite } from './consumer';

pactConsumerSuite('opescare');
