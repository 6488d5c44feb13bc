/** What a notified organisation can do: acknowledge, report the fix with a link, dispute with a reason. */
import { useContext } from 'react';
import { LangContext } from '../i18n.js';
import { useVocabularies } from '../vocabularies.js';
import { text } from '../form.js';

const L = {
  acknowledge: { zh: '确认收到', en: 'Acknowledge' },
  fix: { zh: '已修复', en: 'Report the fix' },
  fixUrl: { zh: '补丁或公告链接', en: 'Patch or advisory link' },
  dispute: { zh: '提出异议', en: 'Dispute' },
  reason: { zh: '异议理由', en: 'Reason' },
} as const;

export function RecipientActions({
  state,
  act,
}: {
  state: string;
  act: (body: { action: 'acknowledge' | 'fix' | 'dispute'; fixUrl?: string; note?: string }) => void;
}) {
  const { lang } = useContext(LangContext);
  const closed = useVocabularies()?.notifications.closedStates;
  // nothing is offered before the platform says which states are settled, nor once this one is
  if (!closed || closed.includes(state)) return null;
  return (
    <div className="actions">
      <button
        type="button"
        onClick={() => act({ action: 'acknowledge' })}
        disabled={state === 'acknowledged'}
      >
        {L.acknowledge[lang]}
      </button>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          act({ action: 'fix', fixUrl: text(new FormData(e.currentTarget), 'fixUrl', '') });
        }}
      >
        <label>
          {L.fixUrl[lang]}
          <input name="fixUrl" type="url" required />
        </label>
        <button type="submit">{L.fix[lang]}</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          act({ action: 'dispute', note: text(new FormData(e.currentTarget), 'note', '') });
        }}
      >
        <label>
          {L.reason[lang]}
          <input name="note" required />
        </label>
        <button type="submit">{L.dispute[lang]}</button>
      </form>
    </div>
  );
}
