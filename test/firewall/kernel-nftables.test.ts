import { kernelSuite } from './kernel-suite.js';

kernelSuite('nftables');
