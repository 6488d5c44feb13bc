/**
 * Embargoed advance notices received from peers (console → Advance notices, analysts): what a peer shared
 * before publication — sender, its reference, the record it will publish, vendors, TLP, the embargo end on the
 * sender's clock, version, and whether it has been released. Only here: a notice is never in search, detail,
 * feeds or exports of this instance until the sender releases it (docs/FEDERATION.md).
 */
import { useContext } from 'react';
import { call, client, type Answer } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { NOTICE_LABELS } from '../labels.js';
import { Status } from './bits.js';
import { useLoad } from './useApi.js';

type Notice = Answer<'listPeerNotices'>['items'][number];

const when = (s: string | null | undefined) => (s ? `${s.slice(0, 16).replace('T', ' ')} UTC` : '—');

export function PeerNotices() {
  const { lang } = useContext(LangContext);
  const L = (k: keyof typeof NOTICE_LABELS) => NOTICE_LABELS[k][lang];
  const list = useLoad('peer-notices', () => call(client.GET('/api/v1/peers/notices')));
  const items: Notice[] = list.data?.items ?? [];
  return (
    <div>
      <h1>{L('title')}</h1>
      <p className="status">{L('hint')}</p>
      <Status loading={list.loading && !list.data} error={list.error} />
      {list.data && items.length === 0 && <p className="status">{L('none')}</p>}
      {items.length > 0 && (
        <table className="board notices">
          <thead>
            <tr>
              <th>{L('sender')}</th>
              <th>{L('record')}</th>
              <th>{L('vendors')}</th>
              <th>TLP</th>
              <th>{L('embargoUntil')}</th>
              <th>{L('state')}</th>
              <th>{L('version')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((n) => (
              <tr key={`${n.sender}:${n.reference}`} className={n.state === 'embargoed' ? 'embargoed' : ''}>
                <td>
                  {n.sender}
                  <br />
                  <small>{n.reference}</small>
                </td>
                <td>
                  <strong>{n.recordId ?? '—'}</strong>
                  <br />
                  {(lang === 'zh' ? (n.title.zh ?? n.title.en) : (n.title.en ?? n.title.zh)) ?? ''}
                </td>
                <td>{n.vendors.join(', ')}</td>
                <td>{n.tlp.toUpperCase()}</td>
                <td>{when(n.embargoUntil)}</td>
                <td>{n.state === 'embargoed' ? L('embargoed') : `${L('released')} ${when(n.releasedAt)}`}</td>
                <td>{n.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
