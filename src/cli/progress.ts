// Progress of long operations on stderr, for a person watching a terminal; silent for scripts (--json, pipes, files).
import type { CommandContext } from './command.js';

export interface Progress {
  /** Names the current step; the line shows it with the seconds spent so far. */
  step(text: string): void;
  /** Clears the line. Idempotent. */
  done(): void;
}

const silent: Progress = { step: () => undefined, done: () => undefined };

/**
 * One self-rewriting line (`\r` + erase) with a ticking elapsed time, so that a 4096-bit key or a large image does not
 * look like a hang. Hand-written: the progress-bar packages draw bars for known totals, and these steps have none.
 */
export function progress(ctx: Pick<CommandContext, 'json' | 'stderr'>, label: string): Progress {
  const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (ctx.json || stderr.isTTY !== true) return silent;
  const started = Date.now();
  let text = '';
  let finished = false;
  const draw = (): void => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    stderr.write(`\r\x1b[K${label}${text ? `: ${text}` : ''} … ${seconds}s`);
  };
  const timer = setInterval(draw, 1000);
  // A progress line never keeps the process alive.
  timer.unref();
  draw();
  return {
    step(next) {
      if (finished) return;
      text = next;
      draw();
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      stderr.write('\r\x1b[K');
    },
  };
}

/** Runs fn with a progress line that is cleared however fn ends. */
export async function withProgress<T>(ctx: Pick<CommandContext, 'json' | 'stderr'>, label: string, fn: (p: Progress) => Promise<T> | T): Promise<T> {
  const p = progress(ctx, label);
  try {
    return await fn(p);
  } finally {
    p.done();
  }
}
