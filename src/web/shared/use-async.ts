// Loads something when its key changes; older answers arriving late are ignored.
import { useEffect, useState } from 'preact/hooks';

export type Async<T> = { state: 'idle' } | { state: 'loading' } | { state: 'done'; value: T } | { state: 'error'; error: Error };

export function useAsync<T>(load: (() => Promise<T>) | null, key: string): Async<T> {
  const [result, setResult] = useState<Async<T>>({ state: load ? 'loading' : 'idle' });
  useEffect(() => {
    if (!load) {
      setResult({ state: 'idle' });
      return;
    }
    let current = true;
    setResult({ state: 'loading' });
    load().then(
      (value) => { if (current) setResult({ state: 'done', value }); },
      (error: unknown) => { if (current) setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }); },
    );
    return () => { current = false; };
  }, [key]);
  return result;
}
