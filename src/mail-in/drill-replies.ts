/**
 * E-mail replies to exercise injects: the inbound listener (smtp.ts) bound to the drill service. Each accepted
 * reply becomes the participant's response in the exercise's timeline (drills/service.ts `respondByEmail`);
 * the 250 answer and the log say what was recorded, marked as exercise traffic.
 */
import { EXERCISE_MARK } from '../drills/model.js';
import type { DrillService } from '../drills/service.js';
import { startInboundMail } from './smtp.js';

export function startDrillReplies(
  drills: Pick<DrillService, 'respondByEmail' | 'replyTokenKnown'>,
  settings: { host: string; port: number; domain: string },
  log: (line: string) => void,
) {
  return startInboundMail({
    ...settings,
    log,
    knownToken: (token) => drills.replyTokenKnown(token),
    receive: async (mail) => {
      const r = await drills.respondByEmail(mail);
      return r.duplicate
        ? `${EXERCISE_MARK} already recorded as response ${r.id} (from ${mail.from})`
        : `${EXERCISE_MARK} recorded response ${r.id} (${r.kind}${r.fulfils ? ` → ${r.fulfils}` : ''}) to inject ${r.seq} from ${mail.from}`;
    },
  });
}
