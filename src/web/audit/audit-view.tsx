// The audit log: who changed what, including refused writes, newest first (admin token needed).
import { useState } from 'preact/hooks';
import { adminApi, session } from '../api.js';
import { SignIn } from '../admin/admin-view.js';
import { ErrorLine, Loading } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';

export function AuditPage() {
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  const log = useAsync(signedIn ? () => adminApi.audit() : null, String(signedIn));
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  if (log.state === 'error') return <ErrorLine error={log.error} />;
  if (log.state !== 'done') return <Loading what="the audit log" />;
  return (
    <table class="audit">
      <caption>Audit log ({log.value.value.length} entries, newest first)</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th></tr></thead>
      <tbody>
        {log.value.value.map((e) => (
          <tr key={e.id} class={e.outcome}>
            <td><time dateTime={e.at}>{e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time></td>
            <td>{e.actor}</td>
            <td><code>{e.action}</code></td>
            <td>{e.target ?? ''}</td>
            <td>{e.outcome === 'ok' ? 'ok' : `refused: ${e.error?.code ?? ''} ${e.error?.message ?? ''}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
