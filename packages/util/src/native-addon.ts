/**
 * The optional native addons of the workspace's packages (built by node-gyp into the package's
 * build/Release; scripts/setup.sh and the install scripts do it), loaded on first use rather than
 * at import: a tool that never needs one (its `--help`, a file without such blocks) does not pay
 * for the dlopen (issue 30).
 */
import { createRequire } from "node:module";

/**
 * A function giving the addon `file` of the package whose module is at `from` (that module's
 * `import.meta.url`: src/ and dist/ are both one level below the package root, beside build/),
 * loaded on its first call and kept. Null when `disabled()` says so at that call (an environment
 * setting that selects the portable code), when it was not built or does not load, or when
 * `usable` finds it lacks what the caller needs.
 */
export function lazyAddon<T>(
  from: string,
  file: string,
  disabled: () => boolean,
  usable: (m: Record<string, unknown>) => boolean,
): () => T | null {
  let loaded: T | null | undefined;
  const load = (): T | null => {
    if (disabled()) return null;
    try {
      const m = createRequire(from)(`../build/Release/${file}`) as Record<string, unknown>;
      return usable(m) ? (m as T) : null;
    } catch {
      return null;
    }
  };
  return () => {
    if (loaded === undefined) loaded = load();
    return loaded;
  };
}
