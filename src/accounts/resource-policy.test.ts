/** The resource rules read like their table: each allows whom it names, with its reason, and refuses the rest. */
import { describe, expect, it } from 'vitest';
import { ERRORS, AppError } from '../errors.js';
import { ANONYMOUS, CLI, type Principal, type Role } from './model.js';
import {
  allows,
  authorize,
  decide,
  RESOURCE_POLICY,
  standingOf,
  type Decision,
  type OrganisationFacts,
} from './resource-policy.js';

const user = (role: Role, over: Partial<Extract<Principal, { kind: 'user' }>> = {}): Principal => ({
  kind: 'user',
  userId: 10,
  email: `${role}@vs.example`,
  role,
  organisationId: 7,
  via: 'session',
  scopes: null,
  ...over,
});
const analyst = user('analyst', { userId: 1, organisationId: null });
const reporter = user('reporter', { userId: 10 });
const otherReporter = user('reporter', { userId: 11, organisationId: 99 });
const recipient = user('recipient', { userId: 20, organisationId: 7 });
const outsider = user('recipient', { userId: 21, organisationId: 8 });

const vendor: OrganisationFacts = {
  id: 7,
  name: 'D-Link',
  kind: 'vendor',
  verifiedAt: '2026-01-01T00:00:00Z',
};
const unverified: OrganisationFacts = { ...vendor, verifiedAt: null };
const reportingUnit: OrganisationFacts = { ...vendor, kind: 'reporting_unit' };

const submission = { type: 'submission' as const, trackingNo: 'S-20260101-0001', reporterId: 10 };
const refusal = (d: Decision) => (d.allowed ? null : d.code);
const as = (d: Decision) => (d.allowed ? d.as : null);

describe('resource policy', () => {
  it('lets analysts read any submission and a reporter only their own; others learn nothing', () => {
    expect(as(decide(analyst, 'read', submission))).toBe('coordinator');
    expect(as(decide(reporter, 'read', submission))).toBe('reporter');
    expect(refusal(decide(otherReporter, 'read', submission))).toBe('not_found');
    expect(refusal(decide(recipient, 'read', submission))).toBe('not_found');
    // a token narrowed away from read_own reads nothing, even its owner's
    expect(refusal(decide(user('reporter', { scopes: ['submissions:create'] }), 'read', submission))).toBe(
      'not_found',
    );
  });

  it('lets an analyst triage and the reporter answer; an analyst token that may only read is refused', () => {
    expect(as(decide(analyst, 'update', submission))).toBe('coordinator');
    expect(as(decide(reporter, 'update', submission))).toBe('reporter');
    expect(refusal(decide(otherReporter, 'update', submission))).toBe('not_found');
    const reader = user('analyst', { userId: 2, via: 'token', scopes: ['submissions:read_all'] });
    expect(refusal(decide(reader, 'update', submission))).toBe('forbidden');
  });

  it('opens a case thread to the coordinator, the reporter and the organisations notified about it', () => {
    const c = { type: 'case' as const, trackingNo: 'S-1', reporterId: 10, notifiedOrganisationIds: [7] };
    expect(as(decide(analyst, 'message', c))).toBe('coordinator');
    expect(as(decide(reporter, 'message', c))).toBe('reporter');
    expect(as(decide(recipient, 'message', c))).toBe('recipient');
    expect(refusal(decide(outsider, 'message', c))).toBe('not_found');
    expect(refusal(decide(otherReporter, 'message', c))).toBe('not_found');
  });

  it('lets a member of the notified organisation read and answer its notification only while in standing', () => {
    const n = { type: 'notification' as const, id: 5, organisation: vendor };
    expect(as(decide(recipient, 'read', n))).toBe('recipient');
    expect(as(decide(recipient, 'respond', n))).toBe('recipient');
    expect(as(decide(analyst, 'respond', n))).toBe('coordinator');
    expect(refusal(decide(outsider, 'read', n))).toBe('not_found');
    expect(refusal(decide(recipient, 'respond', { ...n, organisation: unverified }))).toBe('not_found');
    expect(refusal(decide(reporter, 'read', n))).toBe('not_found');
    // a recipient token without disposal:respond reads but does not answer
    const readOnly = user('recipient', { userId: 20, via: 'token', scopes: ['inbox:read'] });
    expect(as(decide(readOnly, 'read', n))).toBe('recipient');
    expect(refusal(decide(readOnly, 'respond', n))).toBe('not_found');
  });

  it('honours a notification link until it expires, and not for an organisation out of standing', () => {
    const now = new Date('2026-02-01T00:00:00Z');
    const link = (expiresAt: string, organisation = vendor) => ({
      type: 'notification_link' as const,
      link: { expiresAt, organisation },
      now,
    });
    expect(as(decide(ANONYMOUS, 'respond', link('2026-03-01T00:00:00Z')))).toBe('link_holder');
    expect(refusal(decide(ANONYMOUS, 'respond', link('2026-01-01T00:00:00Z')))).toBe('not_found');
    expect(refusal(decide(ANONYMOUS, 'respond', link('2026-03-01T00:00:00Z', unverified)))).toBe('not_found');
    expect(refusal(decide(ANONYMOUS, 'respond', { type: 'notification_link', link: null, now }))).toBe(
      'not_found',
    );
  });

  it('names why an organisation may not act or receive: not a member, unverified, not a receiving kind', () => {
    const org = (organisation: OrganisationFacts | null) => ({ type: 'organisation' as const, organisation });
    expect(as(decide(recipient, 'act_for', org(vendor)))).toBe('member');
    expect(refusal(decide(recipient, 'act_for', org(null)))).toBe('not_organisation_member');
    expect(refusal(decide(outsider, 'act_for', org(vendor)))).toBe('not_organisation_member');
    expect(refusal(decide(recipient, 'act_for', org(unverified)))).toBe('unverified_organisation');
    expect(refusal(decide(recipient, 'act_for', org(reportingUnit)))).toBe('not_receiving_organisation');
    expect(as(decide(analyst, 'receive', org(vendor)))).toBe('recipient');
    expect(refusal(decide(analyst, 'receive', org(unverified)))).toBe('unverified_organisation');
    expect(refusal(decide(analyst, 'receive', org(reportingUnit)))).toBe('not_receiving_organisation');
    expect(standingOf(vendor)).toBeNull();
    expect(standingOf(unverified)).toMatchObject({ details: { organisation: 'D-Link', organisationId: 7 } });
  });

  it('shows an incident by its TLP: clear to anyone, green signed in, amber its victims and shares, red staff', () => {
    const incident = (tlp: 'clear' | 'green' | 'amber' | 'amber+strict' | 'red') => ({
      type: 'incident' as const,
      id: 'INC-2026-0001',
      tlp,
      audience: { victimOrganisationIds: [7], sharedWithOrganisationIds: [9] },
    });
    expect(as(decide(ANONYMOUS, 'read', incident('clear')))).toBe('audience');
    expect(refusal(decide(ANONYMOUS, 'read', incident('green')))).toBe('not_found');
    expect(as(decide(otherReporter, 'read', incident('green')))).toBe('audience');
    expect(as(decide(recipient, 'read', incident('amber')))).toBe('audience');
    expect(as(decide(user('recipient', { organisationId: 9 }), 'read', incident('amber')))).toBe('audience');
    expect(refusal(decide(user('recipient', { organisationId: 9 }), 'read', incident('amber+strict')))).toBe(
      'not_found',
    );
    expect(refusal(decide(outsider, 'read', incident('amber')))).toBe('not_found');
    expect(refusal(decide(recipient, 'read', incident('red')))).toBe('not_found');
    expect(as(decide(analyst, 'read', incident('red')))).toBe('staff');
    expect(as(decide(CLI, 'read', incident('red')))).toBe('staff');
  });

  it('publishes a bulletin to anyone and keeps a draft for staff', () => {
    const b = (state: 'draft' | 'published') => ({ type: 'bulletin' as const, id: '2026-W04', state });
    expect(as(decide(ANONYMOUS, 'read', b('published')))).toBe('public');
    expect(as(decide(analyst, 'read', b('draft')))).toBe('staff');
    expect(refusal(decide(ANONYMOUS, 'read', b('draft')))).toBe('unauthorized');
    expect(refusal(decide(reporter, 'read', b('draft')))).toBe('forbidden');
  });

  it('throws the refusal as an AppError with its code, reason and details, and returns the reason when allowed', () => {
    expect(authorize(reporter, 'read', submission)).toBe('reporter');
    expect(allows(otherReporter, 'read', submission)).toBe(false);
    let thrown: unknown;
    try {
      authorize(otherReporter, 'read', submission);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'not_found',
      message: 'No submission S-20260101-0001',
      details: { trackingNo: 'S-20260101-0001' },
    });
  });

  it('refuses only with codes of the error table', () => {
    const codes = new Set<string>();
    const principals = [ANONYMOUS, CLI, analyst, reporter, otherReporter, recipient, outsider];
    const org = { type: 'organisation' as const, organisation: unverified };
    for (const p of principals)
      for (const d of [
        decide(p, 'update', submission),
        decide(p, 'respond', { type: 'notification', id: 1, organisation: reportingUnit }),
        decide(p, 'act_for', org),
        decide(p, 'receive', org),
        decide(p, 'read', { type: 'bulletin', id: '2026-W04', state: 'draft' }),
      ])
        if (!d.allowed) codes.add(d.code);
    for (const c of codes) expect(Object.keys(ERRORS)).toContain(c);
    expect(Object.keys(RESOURCE_POLICY).sort()).toEqual(
      [
        'bulletin',
        'case',
        'incident',
        'notification',
        'notification_link',
        'organisation',
        'submission',
      ].sort(),
    );
  });
});
