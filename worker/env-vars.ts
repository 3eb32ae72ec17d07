// Reading settings from the environment ([vars], `wrangler secret`, .dev.vars). Every value is
// text and may be missing or mistyped; a bad value falls back to the default instead of failing
// the request, because a typo in a dashboard must not take every room down.

/** An integer in [min, max]; anything else (missing, blank, fractional, out of range) is `fallback`. */
export function intVar(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/** Any finite number, or `fallback`. */
export function numberVar(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? n : fallback;
}

/** One of the listed words, or `fallback`. */
export function oneOfVar<T extends string>(raw: string | undefined, options: readonly T[], fallback: T): T {
  return options.find((o) => o === raw) ?? fallback;
}

/** A comma-separated list, trimmed, without empty entries. */
export function listVar(raw: string | undefined): string[] {
  return (raw ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}
