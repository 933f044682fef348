export * from "./scene/index.js";
export * from "./scenario/index.js";
