// {placeholder} substitution, the one place both the app's catalogs and the check page's strings
// fill in names and numbers.

export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * `text` with each {name} replaced by params[name]. A placeholder with no value is left as it
 * is, so a missing parameter shows on screen instead of silently vanishing.
 */
export function fill(text: string, params: Params = {}): string {
  return text.replace(PLACEHOLDER, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/** The names of the placeholders in `text` (for checks that every translation keeps them). */
export function placeholderNames(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1]!));
}
