import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  cameraIncident,
  exchangeIncident,
  SEED_INCIDENTS,
  supplyChainIncident,
} from '../test-support/incidents.js';
import {
  audienceOf,
  canTransition,
  TRANSITIONS,
  tlpAllows,
  validateIncidentInput,
  type IncidentStatus,
  type Problem,
  type Tlp,
  type Viewer,
} from './model.js';

const NOW = () => new Date('2026-03-01T00:00:00Z');

function problemsOf(input: unknown): Problem[] {
  try {
    validateIncidentInput(input, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe('invalid_input');
    return err.details?.problems as Problem[];
  }
  throw new Error('expected the input to be rejected');
}

describe('validateIncidentInput', () => {
  it.each(Object.entries(SEED_INCIDENTS))('accepts the %s incident', (_, make) => {
    expect(() => validateIncidentInput(make(), NOW)).not.toThrow();
  });

  it('reports every problem at once, each with its field path', () => {
    const input = supplyChainIncident({ title: '', vector: 'magic', tlp: 'white' });
    const steps = input.attackChain as Array<Record<string, unknown>>;
    (steps[2] as Record<string, unknown>).techniqueIds = ['T123', 'T1204.002'];
    (steps[0] as Record<string, unknown>).vulnerabilityIds = ['CVE-21-1'];
    (input.indicators as unknown[]).push({ type: 'ipv4', value: '010.0.0.1' });
    expect(problemsOf(input).map((p) => p.field)).toEqual([
      'title',
      'attackChain[0].vulnerabilityIds[0]',
      'attackChain[2].techniqueIds[0]',
      'indicators[4].value',
      'vector',
      'tlp',
    ]);
  });

  it('names the allowed values when a code is unknown', () => {
    const problems = problemsOf(cameraIncident({ victims: [{ name: 'Plant', sector: 'petrochem' }] }));
    expect(problems).toEqual([
      { field: 'victims[0].sector', message: expect.stringContaining('chemical') as unknown },
    ]);
  });

  it('rejects an IPv4 indicator with leading zeros', () => {
    const [p] = problemsOf(cameraIncident({ indicators: [{ type: 'ipv4', value: '198.051.100.23' }] }));
    expect(p?.field).toBe('indicators[0].value');
    expect(p?.message).toContain('leading zeros');
  });

  it('stores indicators refanged and normalised, and drops exact duplicates', () => {
    const incident = validateIncidentInput(
      cameraIncident({
        indicators: [
          { type: 'domain', value: 'Evil[.]Example' },
          { type: 'domain', value: 'evil.example' },
        ],
      }),
      NOW,
    );
    expect(incident.indicators).toEqual([{ type: 'domain', value: 'evil.example' }]);
  });

  it('rejects an end before the start, and dates that are not ISO 8601', () => {
    expect(problemsOf(cameraIncident({ endedAt: '2024-11-01', discoveredAt: '19/11/2024' }))).toEqual([
      { field: 'discoveredAt', message: expect.stringContaining('ISO 8601') as unknown },
      { field: 'endedAt', message: 'must not be before startedAt' },
    ]);
  });

  it('requires ATT&CK technique ids of the form T1190 or T1078.001', () => {
    const steps = [{ order: 1, phase: 'initial-access', description: 'x', techniqueIds: ['T1078.1'] }];
    expect(problemsOf(cameraIncident({ attackChain: steps }))).toEqual([
      { field: 'attackChain[0].techniqueIds[0]', message: expect.stringContaining('T1078.001') as unknown },
    ]);
  });

  it('sorts the attack chain by order and refuses a repeated order', () => {
    const incident = validateIncidentInput(exchangeIncident(), NOW);
    expect(incident.attackChain.map((s) => s.order)).toEqual([10, 20, 30, 40]);
    const steps = [
      { order: 2, phase: 'collection', description: 'b' },
      { order: 2, phase: 'initial-access', description: 'a' },
    ];
    expect(problemsOf(cameraIncident({ attackChain: steps }))).toEqual([
      { field: 'attackChain[1].order', message: 'repeats order 2' },
    ]);
  });

  it('ignores a submitted id, defaults status to open and the timestamps to now', () => {
    const rest = cameraIncident();
    delete rest.status;
    delete rest.createdAt;
    delete rest.updatedAt;
    const incident = validateIncidentInput(rest, NOW);
    expect(incident).not.toHaveProperty('id');
    expect(incident.status).toBe('open');
    expect(incident.createdAt).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses something that is not an object', () => {
    expect(problemsOf('incident')).toEqual([{ field: '', message: 'must be a JSON object' }]);
  });
});

describe('status transitions', () => {
  it.each([
    ['open', 'analysing', true],
    ['open', 'closed', true],
    ['open', 'contained', false],
    ['analysing', 'contained', true],
    ['contained', 'analysing', true],
    ['contained', 'closed', true],
    ['closed', 'analysing', true],
    ['closed', 'open', false],
    ['closed', 'contained', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('lets every status be left, so no incident is stuck', () => {
    for (const s of Object.keys(TRANSITIONS) as IncidentStatus[])
      expect(TRANSITIONS[s].length).toBeGreaterThan(0);
  });
});

describe('TLP visibility', () => {
  const incident = { victimOrganisationIds: [17], sharedWithOrganisationIds: [41] };
  const viewers: Record<string, Viewer> = {
    anonymous: { role: 'anonymous' },
    reporter: { role: 'reporter', organisationId: 99 },
    victim: { role: 'vendor', organisationId: 17 },
    sharedWith: { role: 'reporter', organisationId: 41 },
    analyst: { role: 'analyst' },
    admin: { role: 'admin' },
  };
  // Rows read like the TLP 2.0 table: who sees an incident at each level.
  const table: Array<[Tlp, string[]]> = [
    ['clear', ['anonymous', 'reporter', 'victim', 'sharedWith', 'analyst', 'admin']],
    ['green', ['reporter', 'victim', 'sharedWith', 'analyst', 'admin']],
    ['amber', ['victim', 'sharedWith', 'analyst', 'admin']],
    ['amber+strict', ['victim', 'analyst', 'admin']],
    ['red', ['analyst', 'admin']],
  ];
  it.each(table)('%s is visible to exactly %j', (tlp, who) => {
    const allowed = Object.entries(viewers)
      .filter(([, v]) => tlpAllows(tlp, v, incident))
      .map(([name]) => name);
    expect(allowed).toEqual(who);
  });

  it('never treats an anonymous viewer as a victim organisation', () => {
    expect(tlpAllows('amber', { role: 'anonymous', organisationId: 17 }, incident)).toBe(false);
  });

  it('derives the audience from the victim entries and the sharing list', () => {
    const i = validateIncidentInput(supplyChainIncident({ sharedWithOrganisationIds: [41, 41] }), NOW);
    expect(audienceOf(i)).toEqual({ victimOrganisationIds: [17], sharedWithOrganisationIds: [41] });
  });
});
