export * from "./analyses";
export * from "./repositories";
export * from "./stars";
export * from "./sync-runs";
export * from "./users";
export * from "./vectors";
export * from "./lists";
