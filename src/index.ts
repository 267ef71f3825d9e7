export * from './fpga-image-association';
