// Priority = matrix(impact, urgency): every cell of the default matrix, a tenant's own matrix, urgency from the
// endpoint's role, and the orderings the ticket manager uses for escalation.
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_MATRIX, comparePriority, higherPriority, maxImpact, priorityOf, urgencyOf } from '../../../collector/src/tickets/priority.js';
import { PriorityMatrixSchema, type PriorityMatrix } from '../../../collector/src/tickets/service-schema.js';
import type { Impact, Priority, Role, Urgency } from '../../../collector/src/alerting/contract.js';

describe('default matrix (DESIGN.md)', () => {
  it.each<[Impact, Urgency, Priority]>([
    ['high', 'high', 'P1'],
    ['high', 'medium', 'P2'],
    ['high', 'low', 'P3'],
    ['medium', 'high', 'P2'],
    ['medium', 'medium', 'P3'],
    ['medium', 'low', 'P4'],
    ['low', 'high', 'P3'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P4'],
  ])('impact %s, urgency %s -> %s', (impact, urgency, priority) => {
    expect(priorityOf(DEFAULT_MATRIX, impact, urgency)).toBe(priority);
  });

  it('is valid against the schema a rules file is checked with', () => {
    expect(Value.Check(PriorityMatrixSchema, DEFAULT_MATRIX)).toBe(true);
  });
});

describe('a tenant matrix', () => {
  // A stricter contract: anything high-impact is P1, nothing is P4 except low x low.
  const STRICT: PriorityMatrix = {
    high: { high: 'P1', medium: 'P1', low: 'P1' },
    medium: { high: 'P1', medium: 'P2', low: 'P3' },
    low: { high: 'P2', medium: 'P3', low: 'P4' },
  };
  it.each<[Impact, Urgency, Priority]>([
    ['high', 'low', 'P1'],
    ['medium', 'high', 'P1'],
    ['medium', 'low', 'P3'],
    ['low', 'high', 'P2'],
    ['low', 'low', 'P4'],
  ])('impact %s, urgency %s -> %s', (impact, urgency, priority) => {
    expect(priorityOf(STRICT, impact, urgency)).toBe(priority);
  });
});

describe('urgencyOf', () => {
  it.each<[string, { role: Role; critical: boolean; urgency?: Urgency; tags?: string[] }, Urgency]>([
    ['workstation: one user', { role: 'workstation', critical: false }, 'low'],
    ['server: a department', { role: 'server', critical: false }, 'medium'],
    ['critical server: the whole company', { role: 'server', critical: true }, 'high'],
    ['critical workstation', { role: 'workstation', critical: true }, 'high'],
    ['server tagged critical', { role: 'server', critical: false, tags: ['dc', 'critical'] }, 'high'],
    ['other tags do not count', { role: 'server', critical: false, tags: ['dc'] }, 'medium'],
    ['explicit urgency wins over critical', { role: 'server', critical: true, urgency: 'low' }, 'low'],
    ['explicit urgency wins over the critical tag', { role: 'server', critical: false, urgency: 'medium', tags: ['critical'] }, 'medium'],
    ['explicit urgency wins over the role', { role: 'workstation', critical: false, urgency: 'high' }, 'high'],
  ])('%s', (_name, host, urgency) => {
    expect(urgencyOf(host)).toBe(urgency);
  });
});

describe('orderings', () => {
  it.each<[Priority, Priority, Priority, number]>([
    ['P1', 'P2', 'P1', -1],
    ['P4', 'P1', 'P1', 3],
    ['P3', 'P3', 'P3', 0],
    ['P2', 'P4', 'P2', -2],
  ])('higherPriority(%s, %s) = %s, comparePriority = %i', (a, b, higher, cmp) => {
    expect(higherPriority(a, b)).toBe(higher);
    expect(higherPriority(b, a)).toBe(higher);
    expect(comparePriority(a, b)).toBe(cmp);
  });

  it('sorts the most urgent first', () => {
    const list: Priority[] = ['P3', 'P1', 'P4', 'P2', 'P1'];
    expect([...list].sort(comparePriority)).toEqual(['P1', 'P1', 'P2', 'P3', 'P4']);
  });

  it.each<[Impact, Impact, Impact]>([
    ['low', 'high', 'high'],
    ['medium', 'low', 'medium'],
    ['high', 'medium', 'high'],
    ['low', 'low', 'low'],
  ])('maxImpact(%s, %s) = %s', (a, b, max) => {
    expect(maxImpact(a, b)).toBe(max);
    expect(maxImpact(b, a)).toBe(max);
  });
});
