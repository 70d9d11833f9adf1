// Views are addressed by the URL fragment (#/path?from=…&to=…), so any view can be sent to a colleague as a link and
// the server needs only one page. Nothing secret ever goes into it.

export interface Route {
  view: string;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const view = (q < 0 ? hash : hash.slice(0, q)) || 'graph';
  return { view, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

export function href(view: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

/** Changes the URL to reflect the view's state (replace: no history entry per keystroke). */
export function navigate(view: string, params: Record<string, string | undefined>, replace = false): void {
  const target = href(view, params);
  if (location.hash === target) return;
  if (replace) history.replaceState(null, '', target);
  else location.hash = target;
}
