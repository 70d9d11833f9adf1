// External tools the benchmark needs (nginx, wrk, the image's allocator): install the Debian packages when missing and allowed, report versions.
import { spawnSync } from 'node:child_process';
import process from 'node:process';

const packages = { nginx: { deb: 'nginx', bin: 'nginx' }, wrk: { deb: 'wrk', bin: 'wrk' } };

function which(bin) {
  const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  // Debian puts nginx in /usr/sbin, which is not on every PATH.
  const sbin = spawnSync('sh', ['-c', `test -x /usr/sbin/${bin} && echo /usr/sbin/${bin}`], { encoding: 'utf8' });
  return sbin.status === 0 ? sbin.stdout.trim() : null;
}

function install(deb) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) throw new Error(`'${deb}' is not installed and this is not root: install it with apt-get install -y ${deb}`);
  console.log(`installing missing Debian package '${deb}'...`);
  const result = spawnSync('apt-get', ['install', '-y', deb], { stdio: 'inherit', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`apt-get install -y ${deb} failed (exit ${result.status})`);
}

function versionOf(path) {
  // nginx prints its version on stderr; wrk prints it above its usage screen and exits 1.
  const out = spawnSync(path, ['-v'], { encoding: 'utf8' });
  const text = `${out.stdout}${out.stderr}`.split('\n')[0].trim();
  return text.replace(/\s*Copyright.*$/, '');
}

/**
 * Makes sure the image's preloaded allocator (bench/kus.js imageAllocatorEnv) loads here, installing Debian's
 * libjemalloc2 when it does not and this is root. Returns the preload and its MALLOC_CONF, or null when the image sets none.
 */
export function ensureAllocator(env) {
  if (!env.LD_PRELOAD) return null;
  if (!canPreload(env.LD_PRELOAD)) {
    install('libjemalloc2');
    if (!canPreload(env.LD_PRELOAD)) throw new Error(`${env.LD_PRELOAD} still cannot be preloaded after installing libjemalloc2`);
  }
  return { preload: env.LD_PRELOAD, conf: env.MALLOC_CONF ?? '' };
}

/** Whether ld.so finds the library `preload` names (it only warns, and runs the program without it, when not). */
export function canPreload(preload) {
  const run = spawnSync('true', [], { env: { ...process.env, LD_PRELOAD: preload }, encoding: 'utf8' });
  return run.status === 0 && !/cannot be preloaded/.test(run.stderr);
}

/** Returns { nginx: {path, version}, wrk: {path, version} }, installing what is missing when root. */
export function ensureTools() {
  const found = {};
  for (const [name, { deb, bin }] of Object.entries(packages)) {
    let path = which(bin);
    if (!path) {
      install(deb);
      path = which(bin);
      if (!path) throw new Error(`'${bin}' still not found after installing '${deb}'`);
    }
    found[name] = { path, version: versionOf(path) };
  }
  return found;
}
