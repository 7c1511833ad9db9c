// Types for the imports the bundler handles: stylesheets, and punycode.js (which ships none).
declare module "*.css";
declare module "punycode" {
  export function toASCII(domain: string): string;
  export function toUnicode(domain: string): string;
}
