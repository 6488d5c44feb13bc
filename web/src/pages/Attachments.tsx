/** A case's attachments (POC, screenshots, logs): listed with download links; the reporter and analysts add more. */
import { useContext, useState } from 'react';
import { messageOf } from '../api.js';
import { uploadAttachment, type Answer } from '../api/client.js';
import { LangContext } from '../i18n.js';
import { ErrorLine } from './bits.js';

/** A file attached to a case, as the submission answer lists it. */
export type Attachment = NonNullable<Answer<'getSubmission'>['attachments']>[number];

/** PDF, PNG, JPEG, ZIP, plain text or JSON; ≤ 10 MiB each (the server checks the content, not just the name). */
export const ACCEPT =
  '.txt,.json,.pdf,.png,.jpg,.jpeg,.zip,text/plain,application/json,application/pdf,image/png,image/jpeg,application/zip';

export async function uploadAll(trackingNo: string, files: File[]): Promise<void> {
  for (const f of files) await uploadAttachment(trackingNo, f);
}

export function Attachments({
  trackingNo,
  items,
  onChange,
}: {
  trackingNo: string;
  items: Attachment[];
  onChange: () => void;
}) {
  const { lang } = useContext(LangContext);
  const [err, setErr] = useState<string | null>(null);
  return (
    <section aria-label="attachments">
      <h2>{lang === 'zh' ? '附件' : 'Attachments'}</h2>
      {items.length === 0 && <p className="status">{lang === 'zh' ? '没有附件。' : 'No attachments.'}</p>}
      <ul>
        {items.map((a) => (
          <li key={a.sha256}>
            <a href={`/api/v1/submissions/${trackingNo}/attachments/${a.sha256 ?? ''}`}>{a.filename}</a>{' '}
            <span className="meta">
              {Math.max(1, Math.round((a.size ?? 0) / 1024))} KB · {a.content_type}
            </span>
          </li>
        ))}
      </ul>
      <label>
        {lang === 'zh' ? '添加附件' : 'Add attachments'}{' '}
        <input
          type="file"
          multiple
          accept={ACCEPT}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            const input = e.target;
            void uploadAll(trackingNo, files).then(
              () => {
                input.value = '';
                setErr(null);
                onChange();
              },
              (x: unknown) => {
                setErr(messageOf(x));
                onChange();
              },
            );
          }}
        />
      </label>
      <ErrorLine error={err} />
    </section>
  );
}
