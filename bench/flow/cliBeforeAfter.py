"""Whole-process A/B of the CLI's start (issue 19, targets 1 and 5): a build from before against
this checkout's, interleaved (order rotated each round) with the pandas script and `node -e 0`.
Wall and CPU medians; CPU is user + system of the whole process from wait4 (exact, all threads).

Usage (from the repository root, after `npm run build`):
  mkdir -p bench/out/before && cp -r dist bin package.json bench/out/before/   # on the old commit
  N=9 /usr/bin/python3 bench/flow/cliBeforeAfter.py run,validate,help,floor
"""
import os
import statistics
import subprocess
import sys
import time

N = int(os.environ.get('N', '9'))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = 'examples/diabetes/diabetic-readmission.csv'
FLOW = 'examples/diabetes/diabetes.flow.yaml'
BUILDS = (('before', 'bench/out/before'), ('after', '.'))


def sluice(root, *args):
    return ['node', f'{root}/bin/sluice.js', *args]


cases = []
for part in (sys.argv[1] if len(sys.argv) > 1 else 'run').split(','):
    if part == 'run':
        for name, root in BUILDS:
            out = f'bench/out/ab-{name}.parquet'
            cases.append((f'run {name}', sluice(root, 'flow', 'run', FLOW, '--input', DATA, '--output', out, '--quiet'), {'SLUICE_THREADS': '1'}))
        pandas = ['/usr/bin/python3', 'bench/flow/diabetes_pandas.py', DATA, 'bench/out/ab-pandas.csv']
        cases.append(('pandas', pandas, {'OMP_NUM_THREADS': '1', 'OMP_WAIT_POLICY': 'passive'}))
    elif part == 'validate':
        cases += [(f'validate {name}', sluice(root, 'flow', 'validate', FLOW), {}) for name, root in BUILDS]
    elif part == 'help':
        cases += [(f'help {name}', sluice(root, '--help'), {}) for name, root in BUILDS]
    elif part == 'floor':
        cases.append(('node -e 0', ['node', '-e', '0'], {}))

wall = {c[0]: [] for c in cases}
cpu = {c[0]: [] for c in cases}
load0 = os.getloadavg()[0]
for i in range(N):
    for name, cmd, env in cases[i % len(cases):] + cases[:i % len(cases)]:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        if status != 0:
            sys.exit(f'{name} failed (status {status})')
        wall[name].append(time.perf_counter() - t)
        cpu[name].append(usage.ru_utime + usage.ru_stime)
print(f'medians of {N}, load average {load0:.2f} -> {os.getloadavg()[0]:.2f}, {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}')
for name in wall:
    print(f'{name:20s} wall {statistics.median(wall[name]):.3f}  cpu {statistics.median(cpu[name]):.3f}')
