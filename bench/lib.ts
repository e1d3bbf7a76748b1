import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Debian's interpreter, which sees Debian's python3-* packages (the first python3 on PATH may not). */
export const PYTHON = '/usr/bin/python3';

/** Installs Debian packages the anchors need when missing (root only). */
export function ensureDebianPython(modules: string[], packages: string[]): boolean {
  const check = () => spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join(';')]).status === 0;
  if (existsSync(PYTHON) && check()) return true;
  if (process.getuid?.() !== 0) return false;
  process.stderr.write(`installing ${packages.join(' ')} (Debian) for the benchmark anchors…\n`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return check();
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs a command under /usr/bin/time; returns wall seconds, CPU seconds (user + system, of the
 * process and its threads: the steadier figure on a shared machine), peak RSS in MB, and stdout.
 */
export function timed(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): { seconds: number; cpuS: number; peakMb: number; stdout: string; status: number } {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK_KB=%M CPU=%U+%S', cmd, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t) / 1000;
  const kb = /PEAK_KB=(\d+)/.exec(r.stderr ?? '');
  const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0) process.stderr.write(r.stderr ?? '');
  return {
    seconds,
    cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN,
    peakMb: kb ? Number(kb[1]) / 1024 : NaN,
    stdout: r.stdout ?? '',
    status: r.status ?? -1,
  };
}

/** The 1-minute load average and the number of CPUs, for stating next to each figure. */
export function loadNote(): string {
  return `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
}

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
