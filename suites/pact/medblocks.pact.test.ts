import { pactConsumerSuite } from './consumer';

pactConsumerSuite('medblocks');
