export * from "./names";
export * from "./dataset-model";
export * from "./pagination";
export * from "./errors";
export * from "./resources";
