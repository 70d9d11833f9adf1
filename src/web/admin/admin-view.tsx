// Admin actions through the existing admin API, after signing in with a token kept for this tab only. Each action
// shows what will change in the served graph and asks for confirmation; a refusal shows the server's own text.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { adminApi, ApiError, session } from '../api.js';
import { ErrorLine } from '../shared/components.js';
import { preview, type Action } from './preview.js';

const FORMS: Array<{ kind: Action['kind']; title: string; fields: Array<[string, string, boolean]> }> = [
  { kind: 'ingest', title: 'Ingest a release', fields: [['pullSpec', 'Pull spec', true], ['channels', 'Channels (comma-separated)', false]] },
  { kind: 'promote', title: 'Add to a channel', fields: [['channel', 'Channel', true], ['version', 'Version', true]] },
  { kind: 'block', title: 'Block an edge', fields: [['fromVersion', 'From version', true], ['to', 'To version', true]] },
  {
    kind: 'risk',
    title: 'Declare a risk',
    fields: [['fromVersion', 'From version', true], ['to', 'To version', true], ['name', 'Risk name', true], ['url', 'URL', true],
      ['message', 'Message', true], ['promql', 'PromQL (empty: Always)', false]],
  },
  { kind: 'sign', title: 'Sign a release', fields: [['version', 'Version', true]] },
  { kind: 'remove', title: 'Remove a release', fields: [['version', 'Version', true], ['arch', 'Architecture', true]] },
];

function run(action: Action): Promise<unknown> {
  switch (action.kind) {
    case 'ingest': return adminApi.ingest(action.pullSpec, action.channels.split(',').map((c) => c.trim()).filter(Boolean));
    case 'promote': return adminApi.promote(action.channel, action.version);
    case 'block': return adminApi.block(action.to, action.fromVersion);
    case 'risk': return adminApi.risk(action);
    case 'sign': return adminApi.sign(action.version);
    case 'remove': return adminApi.remove(action.version, action.arch);
  }
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error | null>(null);
  return (
    <form class="sign-in" aria-label="Sign in" onSubmit={async (e) => {
      e.preventDefault();
      session.signIn(token);
      try {
        session.setScope((await adminApi.check()).value.scope);
        setToken('');
        onSignedIn();
      } catch (err) {
        session.signOut();
        setError(err as Error);
      }
    }}>
      <p>Admin actions need an admin token (<code>kus token create NAME</code>); a viewer token (<code>--scope viewer</code>) reads only. It is kept for this tab only.</p>
      <label for="admin-token">Admin token</label>
      <input id="admin-token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit">Sign in</button>
      {error && <ErrorLine error={error} />}
    </form>
  );
}

export function AdminPage() {
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const readOnly = session.scope() === 'viewer';
  return (
    <div class="admin">
      <p>Signed in{readOnly ? ' with a viewer token: read-only, actions are disabled (they need a token of scope admin)' : ''}.{' '}
        <button type="button" onClick={() => { session.signOut(); setSignedIn(false); }}>Sign out</button></p>
      <div class="admin-forms">{FORMS.map((f) => <ActionForm key={f.kind} form={f} readOnly={readOnly} />)}</div>
    </div>
  );
}

type Stage = { at: 'edit' } | { at: 'confirm'; action: Action; changes: string[] } | { at: 'done'; message: string } | { at: 'refused'; error: Error };

function ActionForm({ form, readOnly }: { form: (typeof FORMS)[number]; readOnly: boolean }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [stage, setStage] = useState<Stage>({ at: 'edit' });
  const confirmRef = useRef<HTMLDivElement>(null);
  // A layout effect: the question has the focus as soon as it is shown, not after the browser's next paint.
  useLayoutEffect(() => { if (stage.at === 'confirm') confirmRef.current?.focus(); }, [stage.at]);
  const id = (field: string): string => `${form.kind}-${field}`;
  return (
    <section class="action" aria-label={form.title}>
      <h3>{form.title}</h3>
      <form onSubmit={async (e) => {
        e.preventDefault();
        const action = { kind: form.kind, ...Object.fromEntries(form.fields.map(([f]) => [f, (values[f] ?? '').trim()])) } as Action;
        try {
          setStage({ at: 'confirm', action, changes: await preview(action) });
        } catch (err) {
          setStage({ at: 'refused', error: err as Error });
        }
      }}>
        {form.fields.map(([field, label, required]) => (
          <p key={field}>
            <label for={id(field)}>{label}</label>
            <input id={id(field)} required={required} value={values[field] ?? ''}
              onInput={(e) => setValues({ ...values, [field]: (e.currentTarget as HTMLInputElement).value })} />
          </p>
        ))}
        <button type="submit" disabled={readOnly} title={readOnly ? 'needs a token of scope admin' : undefined}>Review…</button>
      </form>
      {stage.at === 'confirm' && (
        <div class="confirm" role="alertdialog" aria-label={`Confirm: ${form.title}`} tabIndex={-1} ref={confirmRef}>
          <p>This will change the served graph:</p>
          <ul>{stage.changes.map((c) => <li key={c}>{c}</li>)}</ul>
          <button type="button" onClick={async () => {
            try {
              const answer = (await run(stage.action)) as { changed?: boolean; warnings?: string[] };
              const warnings = answer?.warnings?.length ? ` Warnings: ${answer.warnings.join('; ')}` : '';
              setStage({ at: 'done', message: `${answer?.changed === false ? 'Nothing to change: already so.' : 'Done.'}${warnings}` });
            } catch (err) {
              setStage({ at: 'refused', error: err as Error });
            }
          }}>Confirm</button>{' '}
          <button type="button" onClick={() => setStage({ at: 'edit' })}>Cancel</button>
        </div>
      )}
      {stage.at === 'done' && <p class="ok" role="status">{stage.message}</p>}
      {stage.at === 'refused' && (
        <div class="refused" role="alert">
          <p>The server refused:</p>
          <ErrorLine error={stage.error} />
          {stage.error instanceof ApiError && stage.error.status === 401 && <p>Sign in again with a valid token.</p>}
          {stage.error instanceof ApiError && stage.error.status === 403 && <p>This token may not change anything: sign in with a token of scope admin.</p>}
        </div>
      )}
    </section>
  );
}
