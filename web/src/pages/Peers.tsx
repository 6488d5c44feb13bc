/**
 * The federation's peers, for admins (console → Peers): each peer's name, URL, active key id and state, last
 * attempt and success, lag (its head − our cursor at the last sync), last error, received / refused counts and
 * its policy — shown as JSON and replaced through an edit form (PUT /api/v1/peers/{name}/policy); "sync now"
 * pulls its change feed at once (docs/FEDERATION.md).
 */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { call, client, type Answer, type Body } from '../api/client.js';
import { useAuth } from '../auth.js';
import { LangContext } from '../i18n.js';
import { PEER_LABELS, PEER_STATES, label } from '../labels.js';
import { ErrorLine, Status } from './bits.js';
import { useLoad } from './useApi.js';

type Peer = Answer<'listPeers'>['items'][number];
type SyncResult = Answer<'syncPeer'>['items'][number];

const when = (s: string | null | undefined) => (s ? s.slice(0, 19).replace('T', ' ') : '—');

export function Peers() {
  const { lang } = useContext(LangContext);
  const { me } = useAuth();
  const L = (k: keyof typeof PEER_LABELS) => PEER_LABELS[k][lang];
  const [version, setVersion] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const admin = me?.role === 'admin';
  const list = useLoad(admin ? `peers:${version}` : null, () => call(client.GET('/api/v1/peers')));
  if (!admin) return <p className="status">{L('adminsOnly')}</p>;
  return (
    <div>
      <h1>{L('title')}</h1>
      <ErrorLine error={err} />
      <Status loading={list.loading && !list.data} error={list.error} />
      {list.data?.items.length === 0 && <p className="status">{L('none')}</p>}
      <table className="board peers">
        <thead>
          <tr>
            <th>{L('name')}</th>
            <th>{L('keyId')}</th>
            <th>{L('state')}</th>
            <th>{L('lastAttempt')}</th>
            <th>{L('lastSuccess')}</th>
            <th>{L('lag')}</th>
            <th>{L('lastError')}</th>
            <th>{L('counts')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((p) => (
            <PeerRow
              key={p.name}
              peer={p}
              lang={lang}
              onError={setErr}
              onChanged={() => {
                setErr(null);
                setVersion((x) => x + 1);
              }}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PeerRow({
  peer: p,
  lang,
  onError,
  onChanged,
}: {
  peer: Peer;
  lang: 'zh' | 'en';
  onError: (e: string | null) => void;
  onChanged: () => void;
}) {
  const L = (k: keyof typeof PEER_LABELS) => PEER_LABELS[k][lang];
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SyncResult | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string | null>(null);
  const key = p.keys.find((k) => k.state === 'active') ?? p.keys[0];
  const failing = p.lastError !== null && (p.lastErrorAt ?? '') >= (p.lastSuccessAt ?? '');

  const syncNow = () => {
    setBusy(true);
    call(client.POST('/api/v1/peers/{name}/sync', { params: { path: { name: p.name } } }))
      .then(
        (r) => {
          setResult(r.items[0] ?? null);
          onChanged();
        },
        (e: unknown) => onError(messageOf(e)),
      )
      .finally(() => setBusy(false));
  };

  const savePolicy = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(draft);
    } catch (e) {
      setDraftError(L('badJson') + messageOf(e));
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setDraftError(L('badJson') + '{ "receive": {…}, "accept": {…} }');
      return;
    }
    // the server checks every field and names what is wrong (policy_invalid / a schema error)
    const body = parsed as Body<'setPeerPolicy'>;
    call(client.PUT('/api/v1/peers/{name}/policy', { params: { path: { name: p.name } }, body })).then(
      () => {
        setEditing(false);
        setDraftError(null);
        onChanged();
      },
      (e: unknown) => setDraftError(messageOf(e)),
    );
  };

  return (
    <>
      <tr className={failing ? 'late' : ''} data-peer={p.name}>
        <td>
          <strong>{p.name}</strong>
          <div className="meta">{p.url}</div>
          <div className="meta">
            {L('cursor')} {p.cursor}
          </div>
        </td>
        <td>
          <code>{key?.keyId ?? '—'}</code>
          {p.keys.length > 1 && <div className="meta">+{p.keys.length - 1}</div>}
        </td>
        <td>{label(PEER_STATES, p.state, lang)}</td>
        <td>{when(p.lastAttemptAt)}</td>
        <td>{when(p.lastSuccessAt)}</td>
        <td className="lag">{p.lag ?? '—'}</td>
        <td className={failing ? 'overdue' : ''}>
          {p.lastError ?? '—'}
          {p.lastErrorAt && <div className="meta">{when(p.lastErrorAt)}</div>}
        </td>
        <td className="counts">
          {p.received} / {p.refused}
        </td>
        <td>
          <button type="button" disabled={busy} onClick={syncNow}>
            {busy ? L('syncing') : L('syncNow')}
          </button>
          {result && (
            <div className={result.outcome === 'failed' ? 'meta warn' : 'meta'} role="status">
              {L(result.outcome)}
              {result.outcome === 'synced'
                ? ` · ${result.pages} ${L('pages')} · ${L('applied')} ${result.applied}`
                : ''}
            </div>
          )}
        </td>
      </tr>
      <tr className="dim">
        <td colSpan={9}>
          <details>
            <summary>{L('policy')}</summary>
            {editing ? (
              <form
                className="panel wide"
                aria-label={`${L('editPolicy')} ${p.name}`}
                onSubmit={(e) => {
                  e.preventDefault();
                  savePolicy();
                }}
              >
                <textarea
                  name="policy"
                  rows={16}
                  value={draft}
                  spellCheck={false}
                  onChange={(e) => setDraft(e.currentTarget.value)}
                />
                <ErrorLine error={draftError} />
                <button type="submit">{L('savePolicy')}</button>{' '}
                <button type="button" onClick={() => setEditing(false)}>
                  {L('cancel')}
                </button>
              </form>
            ) : (
              <>
                <pre className="policy">{JSON.stringify(p.policy, null, 2)}</pre>
                <button
                  type="button"
                  onClick={() => {
                    setDraft(JSON.stringify(p.policy, null, 2));
                    setDraftError(null);
                    setEditing(true);
                  }}
                >
                  {L('editPolicy')}
                </button>
              </>
            )}
          </details>
        </td>
      </tr>
    </>
  );
}
