export * from "./identity";
export * from "./organizations";
export * from "./credentials";
export * from "./email";
export * from "./members";
export * from "./provisioning";
export * from "./resources";
export * from "./usage";
