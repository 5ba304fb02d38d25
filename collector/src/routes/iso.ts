// Times as the API shows them: ISO 8601 UTC with milliseconds; null stays null (not yet, or never).
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
