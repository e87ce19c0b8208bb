export { default } from "@pictograph/eslint-config";
