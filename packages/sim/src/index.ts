export * from "./scene/index.js";
