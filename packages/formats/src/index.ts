export * from "./core/types";
export * from "./core/class-list";
export * from "./core/geometry";
export * from "./core/readme";
