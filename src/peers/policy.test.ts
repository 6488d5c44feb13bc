import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import {
  DEFAULT_POLICY,
  mayAccept,
  mayReceive,
  parsePolicy,
  type PolicyItem,
  type ReceivePolicy,
} from './policy.js';

const item = (o: Partial<PolicyItem> = {}): PolicyItem => ({
  kind: 'record',
  tlp: 'clear',
  embargoed: false,
  sectors: ['ics'],
  vendors: ['Siemens'],
  ...o,
});
const receive = (o: Partial<ReceivePolicy> = {}): ReceivePolicy => ({ ...DEFAULT_POLICY.receive, ...o });

/** The receive table: policy, item, whether it is sent. */
const RECEIVE: Array<[string, ReceivePolicy, PolicyItem, boolean]> = [
  ['the default sends a published TLP:CLEAR record', receive(), item(), true],
  ['the default sends no advance notice', receive(), item({ kind: 'advance_notice' }), false],
  ['the default sends no case', receive(), item({ kind: 'case' }), false],
  ['the default sends nothing TLP:GREEN', receive(), item({ tlp: 'green' }), false],
  ['TLP:GREEN when listed', receive({ tlp: ['clear', 'green'] }), item({ tlp: 'green' }), true],
  ['never TLP:RED unless listed', receive({ tlp: ['clear', 'green', 'amber'] }), item({ tlp: 'red' }), false],
  [
    'nothing embargoed by default',
    receive({ kinds: ['advance_notice'] }),
    item({ kind: 'advance_notice', embargoed: true }),
    false,
  ],
  [
    'embargoed when allowed',
    receive({ kinds: ['advance_notice'], embargoed: true }),
    item({ kind: 'advance_notice', embargoed: true }),
    true,
  ],
  ['an excluded vendor, any spelling', receive({ excludeVendors: ['SIEMENS'] }), item(), false],
  [
    'an excluded vendor beside an allowed one',
    receive({ excludeVendors: ['siemens'] }),
    item({ vendors: ['ABB', 'Siemens'] }),
    false,
  ],
  ['a vendor of the allow-list', receive({ vendors: ['siemens', 'abb'] }), item(), true],
  ['a vendor not on the allow-list', receive({ vendors: ['abb'] }), item(), false],
  ['a sector it receives', receive({ sectors: ['ics', 'telecom'] }), item(), true],
  ['a sector it does not receive', receive({ sectors: ['telecom'] }), item(), false],
  [
    'no sector at all when sectors are restricted',
    receive({ sectors: ['ics'] }),
    item({ sectors: [] }),
    false,
  ],
];

describe('mayReceive: what a peer may receive', () => {
  for (const [name, policy, it_, sent] of RECEIVE) {
    it(`${sent ? 'sends' : 'withholds'}: ${name}`, () => {
      const d = mayReceive(policy, it_);
      expect(d.ok).toBe(sent);
      if (!d.ok) expect(d.reason).not.toBe('');
    });
  }
});

describe('mayAccept: what we store from a peer', () => {
  const accept = DEFAULT_POLICY.accept;
  const ACCEPT: Array<[string, typeof accept, PolicyItem, boolean]> = [
    ['a published record', accept, item(), true],
    ['a TLP:GREEN record', accept, item({ tlp: 'green' }), true],
    ['a TLP:AMBER record', accept, item({ tlp: 'amber' }), false],
    ['records when only cases are accepted', { ...accept, kinds: ['case'] }, item(), false],
    [
      'anything embargoed as a record',
      { ...accept, tlp: ['clear', 'green', 'amber'] },
      item({ embargoed: true }),
      false,
    ],
    [
      'anything embargoed as a record, even where embargoed notices are accepted',
      { ...accept, embargoed: true, tlp: ['clear', 'green', 'amber'] },
      item({ embargoed: true }),
      false,
    ],
    [
      'an embargoed TLP:AMBER advance notice where notices, embargo and amber are accepted',
      { ...accept, kinds: ['record', 'advance_notice'], embargoed: true, tlp: ['clear', 'green', 'amber'] },
      item({ kind: 'advance_notice', tlp: 'amber', embargoed: true }),
      true,
    ],
    [
      'an embargoed advance notice without accept.embargoed',
      { ...accept, kinds: ['record', 'advance_notice'], tlp: ['clear', 'green', 'amber'] },
      item({ kind: 'advance_notice', tlp: 'amber', embargoed: true }),
      false,
    ],
  ];
  for (const [name, policy, it_, ok] of ACCEPT) {
    it(`${ok ? 'accepts' : 'refuses'}: ${name}`, () => expect(mayAccept(policy, it_).ok).toBe(ok));
  }
});

describe('parsePolicy', () => {
  it('fills what is left out from the default', () => {
    expect(parsePolicy({ receive: { excludeVendors: ['Acme'] } })).toEqual({
      receive: { ...DEFAULT_POLICY.receive, excludeVendors: ['Acme'] },
      accept: DEFAULT_POLICY.accept,
    });
  });
  it('names every problem at once', () => {
    try {
      parsePolicy({
        receive: { kinds: ['records'], tlp: 'clear', embargoed: 'no' },
        accept: { overrideSeverity: 1 },
      });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('invalid_parameter');
      expect((e as Error).message).toMatch(
        /receive\.kinds.*records.*receive\.tlp.*receive\.embargoed.*accept\.overrideSeverity/,
      );
    }
  });
});
