// The life of one alert (rule, tenant, agent, instance), as a pure function: the previous state and one observation
// in, the next state and what happened out. Prometheus semantics: inactive -> pending (active, waiting out `for`)
// -> firing; a pending alert that clears vanishes without trace (never ticketed); a firing one that clears is
// resolved, once the condition has stayed clear for `keep_firing_for` (flap damping).
import type { Impact, Observation } from './contract.js';
import { compareImpact } from '../tickets/priority.js';

export type AlertStatus = 'inactive' | 'pending' | 'firing';

export interface AlertState {
  status: AlertStatus;
  level: string;
  impact: Impact;
  value?: number | string | boolean;
  summary: string;
  /** When the condition became active (start of pending); null while inactive. */
  activeSince: number | null;
  firingSince: number | null;
  /** First inactive observation while firing: the start of the keep_firing_for wait; null while active. */
  clearSince: number | null;
  /** Last active observation. */
  lastActiveAt: number | null;
  resolvedAt: number | null;
  /** Time of the newest observation taken; older or equal ones are replays and change nothing. */
  lastAt: number;
}

export type AlertEventKind = 'pending' | 'firing' | 'escalated' | 'deescalated' | 'resolved' | 'pending_cleared';

export interface AlertEvent {
  kind: AlertEventKind;
  at: number;
  level: string;
  impact: Impact;
  summary: string;
  value?: number | string | boolean;
}

export interface Timing {
  forMs: number;
  keepFiringForMs: number;
}

export interface Step {
  state: AlertState;
  events: AlertEvent[];
}

export const INITIAL: AlertState = {
  status: 'inactive',
  level: 'default',
  impact: 'low',
  summary: '',
  activeSince: null,
  firingSince: null,
  clearSince: null,
  lastActiveAt: null,
  resolvedAt: null,
  lastAt: 0,
};

/** Steps one alert by one observation. Never mutates `prev`. */
export function step(prev: AlertState | undefined, obs: Observation, timing: Timing): Step {
  const state = prev ?? INITIAL;
  if (obs.at <= state.lastAt) return { state, events: [] };
  return obs.active ? stepActive(state, obs, timing) : stepInactive(state, obs, timing);
}

function stepActive(state: AlertState, obs: Observation, timing: Timing): Step {
  const seen = {
    ...state,
    level: obs.level,
    impact: obs.impact,
    value: obs.value,
    summary: obs.summary,
    lastAt: obs.at,
    lastActiveAt: obs.at,
    clearSince: null,
  };
  const event = (kind: AlertEventKind): AlertEvent => ({ kind, at: obs.at, level: obs.level, impact: obs.impact, summary: obs.summary, value: obs.value });
  if (state.status === 'firing') {
    const change = compareImpact(obs.impact, state.impact);
    return { state: seen, events: change > 0 ? [event('escalated')] : change < 0 ? [event('deescalated')] : [] };
  }
  const activeSince = state.status === 'pending' && state.activeSince !== null ? state.activeSince : obs.at;
  if (obs.at - activeSince >= timing.forMs) {
    return { state: { ...seen, status: 'firing', activeSince, firingSince: obs.at, resolvedAt: null }, events: [event('firing')] };
  }
  const events = state.status === 'pending' ? [] : [event('pending')];
  return { state: { ...seen, status: 'pending', activeSince }, events };
}

function stepInactive(state: AlertState, obs: Observation, timing: Timing): Step {
  const base = { ...state, lastAt: obs.at, value: obs.value };
  const event = (kind: AlertEventKind): AlertEvent => ({ kind, at: obs.at, level: state.level, impact: state.impact, summary: obs.summary, value: obs.value });
  if (state.status === 'pending') return { state: { ...base, status: 'inactive', activeSince: null }, events: [event('pending_cleared')] };
  if (state.status === 'inactive') return { state: base, events: [] };
  const clearSince = state.clearSince ?? obs.at;
  if (obs.at - clearSince < timing.keepFiringForMs) return { state: { ...base, clearSince }, events: [] };
  const resolved: AlertState = {
    ...base,
    status: 'inactive',
    summary: obs.summary,
    activeSince: null,
    firingSince: null,
    clearSince: null,
    resolvedAt: obs.at,
  };
  return { state: resolved, events: [event('resolved')] };
}

/** True when the state carries nothing worth keeping (never fired, or resolved long enough ago). */
export function isForgettable(state: AlertState, now: number, keepResolvedMs: number): boolean {
  if (state.status !== 'inactive') return false;
  return state.resolvedAt === null || now - state.resolvedAt >= keepResolvedMs;
}
