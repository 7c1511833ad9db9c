/** The part of pako 2 (a JavaScript port of zlib 1.2) used here; pako 2 ships no types. */
declare module "pako" {
  export function deflate(data: Uint8Array, options?: { level?: number }): Uint8Array;
  const pako: { deflate: typeof deflate };
  export default pako;
}
