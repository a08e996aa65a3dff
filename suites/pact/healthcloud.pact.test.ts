import { pactConsumerSuite } from './consumer';

pactConsumerSuite('healthcloud');
