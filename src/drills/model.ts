/**
 * Exercises (应急演练) as APCERT runs them: the states, the inject and response vocabularies, the marking every
 * message carries, and the validation of an exercise as a control team writes it. No I/O.
 */
import { AppError } from '../errors.js';
import { tableOf, type TransitionTable } from '../workflow/state-machine.js';

export const DRILL_STATES = ['draft', 'running', 'ended'] as const;
export type DrillState = (typeof DRILL_STATES)[number];

/** Who moves an exercise where: the control team starts a draft and ends a running one. */
export const DRILL_RULES = [
  { from: ['draft'], to: 'running' },
  { from: ['running'], to: 'ended' },
] as const satisfies ReadonlyArray<{ from: readonly DrillState[]; to: DrillState }>;
export const DRILL_TRANSITIONS: TransitionTable<DrillState> = tableOf(DRILL_STATES, DRILL_RULES);

export const INJECT_CHANNELS = ['email', 'webhook', 'inbox'] as const;
export type InjectChannel = (typeof INJECT_CHANNELS)[number];

export const RESPONSE_KINDS = ['acknowledge', 'finding', 'action', 'question'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/** Every subject and body of exercise traffic begins with this. */
export const EXERCISE_MARK = '[EXERCISE / 演练]';
export const markSubject = (subject: string): string => `${EXERCISE_MARK} ${subject}`;

/** What a participant must do after an inject reaches it, and within how long ("acknowledge within 30 min"). */
export interface ExpectedAction {
  /** Short and stable: what a response names in `fulfils` (ack, report_c2). */
  key: string;
  description: string;
  withinMinutes: number;
}

export interface InjectInput {
  /** When it goes out (ISO 8601). */
  dueAt: string;
  channels: InjectChannel[];
  subject: string;
  body: string;
  /** Artefacts or indicators, as text (hashes, addresses, a log excerpt). */
  artefacts?: string;
  expected: ExpectedAction[];
}

export interface DrillInput {
  title: string;
  scenario: { zh: string; en: string };
  participantIds: number[];
  injects: InjectInput[];
}

const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const LIMITS = { title: 300, scenario: 20_000, subject: 300, body: 50_000, artefacts: 50_000 } as const;

function problem(field: string, message: string): AppError {
  return new AppError('invalid_input', `${field}: ${message}`, { field });
}

/** The body message with the marking and the artefacts, as the e-mail, webhook and inbox carry it. */
export function messageText(
  drillTitle: string,
  inject: { seq: number; body: string; artefacts: string; expected: ExpectedAction[] },
): string {
  const lines = [
    `${EXERCISE_MARK} ${drillTitle} — inject ${inject.seq}`,
    'This message is part of an exercise. 本消息为应急演练内容，非真实事件。',
    '',
    inject.body,
  ];
  if (inject.artefacts) lines.push('', 'Artefacts / 附件与指标:', inject.artefacts);
  if (inject.expected.length)
    lines.push(
      '',
      'Expected / 预期动作:',
      ...inject.expected.map((e) => `- ${e.description} (${e.key}, within ${e.withinMinutes} min)`),
    );
  lines.push('', EXERCISE_MARK);
  return lines.join('\n');
}

/** Check an exercise as written; every problem is thrown as invalid_input naming its field (the first found). */
export function validateDrill(input: DrillInput): DrillInput {
  const title = input.title.trim();
  if (!title || title.length > LIMITS.title) throw problem('title', `1 to ${LIMITS.title} characters`);
  for (const lang of ['zh', 'en'] as const)
    if (input.scenario[lang].length > LIMITS.scenario)
      throw problem(`scenario.${lang}`, `at most ${LIMITS.scenario} characters`);
  if (!input.scenario.zh.trim() && !input.scenario.en.trim())
    throw problem('scenario', 'give the scenario in Chinese or English');
  if (!input.participantIds.length) throw problem('participantIds', 'at least one participant');
  if (new Set(input.participantIds).size !== input.participantIds.length)
    throw problem('participantIds', 'an organisation is listed twice');
  if (!input.injects.length) throw problem('injects', 'at least one inject');
  input.injects.forEach((i, n) => {
    const f = `injects[${n}]`;
    if (Number.isNaN(Date.parse(i.dueAt))) throw problem(`${f}.dueAt`, 'an ISO 8601 time');
    if (!i.channels.length) throw problem(`${f}.channels`, `one or more of ${INJECT_CHANNELS.join(', ')}`);
    for (const c of i.channels)
      if (!(INJECT_CHANNELS as readonly string[]).includes(c))
        throw problem(`${f}.channels`, `one or more of ${INJECT_CHANNELS.join(', ')}`);
    if (!i.subject.trim() || i.subject.length > LIMITS.subject)
      throw problem(`${f}.subject`, `1 to ${LIMITS.subject} characters`);
    if (!i.body.trim() || i.body.length > LIMITS.body)
      throw problem(`${f}.body`, `1 to ${LIMITS.body} characters`);
    if ((i.artefacts ?? '').length > LIMITS.artefacts)
      throw problem(`${f}.artefacts`, `at most ${LIMITS.artefacts} characters`);
    const keys = new Set<string>();
    i.expected.forEach((e, k) => {
      const g = `${f}.expected[${k}]`;
      if (!KEY.test(e.key)) throw problem(`${g}.key`, 'lower-case letters, digits and _ (ack, report_c2)');
      if (keys.has(e.key)) throw problem(`${g}.key`, `${e.key} is listed twice`);
      keys.add(e.key);
      if (!e.description.trim()) throw problem(`${g}.description`, 'say what is expected');
      if (!Number.isInteger(e.withinMinutes) || e.withinMinutes < 1 || e.withinMinutes > 60 * 24 * 30)
        throw problem(`${g}.withinMinutes`, 'whole minutes, 1 to 43200');
    });
  });
  const injects = [...input.injects].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  return { ...input, title, injects };
}
