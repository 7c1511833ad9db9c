export function stringToRdata(_t: number, _c: number, _s: string): Uint8Array { throw new Error("todo"); }
