// Input checks shared by the alerting tables (tickets, maintenance windows, silences). Each throws StoreError
// `invalid_argument` with a message that starts with the field's name.
import { IMPACTS, PRIORITIES, type Impact, type Priority } from '../alerting/contract.js';
import { StoreError } from './errors.js';

/** Ids and names (tenant, host, rule id, agent id, site, created by). */
export const MAX_KEY_LENGTH = 255;
/** Texts that are cut rather than refused (see clip). */
export const MAX_TEXT_LENGTH = { title: 300, summary: 4000, detail: 4000 } as const;
/** Texts a person types (a maintenance reason, a silence comment): refused when longer. */
export const MAX_NOTE_LENGTH = 1000;

export const PRIORITY_VALUES: readonly Priority[] = PRIORITIES;
/** Urgency and impact share their values. */
export const LEVEL_VALUES: readonly Impact[] = IMPACTS;

export function invalid(field: string, message: string): StoreError {
  return new StoreError('invalid_argument', `${field}: ${message}`);
}

/** A non-empty string of at most MAX_KEY_LENGTH characters. */
export function checkKey(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_KEY_LENGTH) {
    throw invalid(field, `expected 1-${MAX_KEY_LENGTH} characters`);
  }
}

/** A key or null/undefined (an optional scope). */
export function checkOptionalKey(field: string, value: unknown): void {
  if (value !== null && value !== undefined) checkKey(field, value);
}

export function checkNote(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NOTE_LENGTH) {
    throw invalid(field, `expected 1-${MAX_NOTE_LENGTH} characters`);
  }
}

/** Unix ms as a safe integer (null allowed when `nullable`). */
export function checkTime(field: string, value: unknown, nullable = false): void {
  if (nullable && value === null) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(field, 'expected unix milliseconds');
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) throw invalid(field, `expected one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
}

/** Cuts an over-long text and marks the cut; non-strings become ''. */
export function clip(value: string, kind: keyof typeof MAX_TEXT_LENGTH = 'detail'): string {
  const max = MAX_TEXT_LENGTH[kind];
  if (typeof value !== 'string') return '';
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** A UNIQUE or PRIMARY KEY violation: better-sqlite3's codes, PostgreSQL's SQLSTATE 23505 (unique_violation). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
