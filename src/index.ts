export * from './handler-options';
export * from './fpga-image-association';
export * from './removed-fpga-image-association';
export * from './fpga-image-associations';
