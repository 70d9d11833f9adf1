// Polls `check` until it holds, for tests that wait on another process (a replica catching up, a server becoming ready).

/** Resolves with the ms it took once `check` resolves true; throws naming `what` after `deadlineMs`. */
export async function until(what: string, deadlineMs: number, check: () => Promise<boolean>, everyMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
