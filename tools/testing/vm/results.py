#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one test-VM run directory into per-suite results.

KUnit: each <module>_kunit's kernel-log slice is parsed with the kernel's own
``kunit.py parse``. Selftests: the kselftest TAP of every *_test binary.
Log scan: the whole console log and dmesg, searched for kernel reports.

Prints one line per suite; writes results.json into the run directory.
Exit status 0 when everything passed.

The platform selftests (tools/testing/selftests/platform: KVM, the emulated
VT-d, VFIO type1 with QEMU's edu device) test the VM the modules run on,
not the modules: they are reported on a line of their own and kept out of
the module counts ("passed"/"failed" of results.json count the modules'
tests and the log scan only; "platform" holds the platform's). A platform
failure still makes the exit status non-zero: the modules' results mean
little on a broken platform.

With --planted (run-vm.sh --with-selfcheck) the run also carried the harness
self-proof (selfcheck/): a KUnit case and a selftest that fail on purpose, a
WARN and a leak planted by selfcheck_faults. Those, and only those, go to a
section "selfcheck" of their own, kept out of the module counts and the exit
status (selfcheck/verify.py judges them): the suites kunit:selfcheck_kunit
and selftests:selfcheck, the WARNING line raised in selfcheck_faults_init()
of the module selfcheck_faults, and the kmemleak report whose object starts
with the marker "pasidvm-selfcheck-leak". Every other kernel report still
fails the modules' log scan.
"""
import argparse
import json
import os
import re
import subprocess
import sys

REPORTS = [
    r'WARNING:', r'BUG:', r'KASAN:', r'UBSAN:', r'kernel BUG at',
    r'Oops:', r'general protection fault', r'Kernel panic',
    r'possible circular locking', r'possible recursive locking',
    r'inconsistent lock state', r'suspicious RCU usage',
    r'lock held when returning to user space',
    r'unreferenced object', r'INFO: task .* blocked for more than',
    r'detected stalls? on CPU', r'self-detected stall',
]
REPORT_RE = re.compile('|'.join(REPORTS))
SUMMARY_RE = re.compile(
    r'Ran (\d+) tests?: passed: (\d+)(?:, failed: (\d+))?(?:, crashed: (\d+))?'
    r'(?:, skipped: (\d+))?(?:, errors: (\d+))?')
ANSI_RE = re.compile(r'\x1b\[[0-9;]*m')
TAP_RE = re.compile(r'^(not ok|ok) (\d+)(?: -)? ?([^#]*)(#.*)?$')


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.notes = []

    def as_dict(self):
        return dict(name=self.name, passed=self.passed, failed=self.failed,
                    skipped=self.skipped, notes=self.notes)


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return None


def parse_kunit(run, kunit_py, suites):
    kdir = os.path.join(run, 'kunit')
    if not os.path.isdir(kdir):
        return
    for log in sorted(os.listdir(kdir)):
        mod = log[:-4]
        if not mod.endswith('_kunit'):
            continue
        s = Suite('kunit:' + mod)
        suites.append(s)
        # kunit.py changes to the kernel tree first: an absolute path
        res = subprocess.run([sys.executable, kunit_py, 'parse',
                              os.path.abspath(os.path.join(kdir, log))],
                             capture_output=True, text=True)
        out = ANSI_RE.sub('', res.stdout + res.stderr)
        with open(os.path.join(kdir, mod + '.parsed'), 'w') as f:
            f.write(out)
        m = SUMMARY_RE.search(out)
        if not m or int(m.group(1)) == 0:
            s.failed += 1
            s.notes.append('no KUnit results in the log of ' + mod)
            continue
        vals = [int(g) if g else 0 for g in m.groups()]
        s.passed = vals[1]
        s.failed = vals[2] + vals[3] + vals[5]
        s.skipped = vals[4]
        for line in out.splitlines():
            if '[FAILED]' in line or '[CRASHED]' in line:
                s.notes.append(line.strip())


def parse_tap(text, s):
    plan = None
    seen = 0
    for line in text.splitlines():
        if re.match(r'^1\.\.(\d+)$', line) and plan is None:
            plan = int(line[3:])
            continue
        m = TAP_RE.match(line)
        if not m:
            continue
        seen += 1
        directive = (m.group(4) or '').upper()
        if 'SKIP' in directive:
            s.skipped += 1
        elif m.group(1) == 'ok':
            s.passed += 1
        else:
            s.failed += 1
            s.notes.append('not ok: ' + m.group(3).strip())
    return plan, seen


def parse_selftests(run, suites):
    sdir = os.path.join(run, 'selftests')
    if not os.path.isdir(sdir):
        return
    for suite in sorted(os.listdir(sdir)):
        s = Suite('selftests:' + suite)
        suites.append(s)
        d = os.path.join(sdir, suite)
        for tap in sorted(f for f in os.listdir(d) if f.endswith('.tap')):
            name = tap[:-4]
            text = read(os.path.join(d, tap)) or ''
            rc = (read(os.path.join(d, name + '.rc')) or '').strip()
            failed_before = s.failed
            plan, seen = parse_tap(text, s)
            if plan is None and seen == 0:
                s.failed += 1
                s.notes.append(f'{name}: no TAP output (exit {rc or "?"})')
            elif plan is not None and seen < plan:
                s.failed += plan - seen
                s.notes.append(f'{name}: {plan - seen} of {plan} tests never '
                               f'reported (exit {rc or "?"})')
            elif rc not in ('0', '4') and s.failed == failed_before:
                s.failed += 1
                s.notes.append(f'{name}: exit status {rc or "missing"}')


def parse_smoke(run, suites):
    s = Suite('smoke:modules')
    suites.append(s)
    loaded = (read(os.path.join(run, 'loaded.txt')) or '').split()
    failed = (read(os.path.join(run, 'load-failed.txt')) or '').split()
    skipped = (read(os.path.join(run, 'skipped.txt')) or '').split()
    unload = (read(os.path.join(run, 'unload-failed.txt')) or '').split()
    s.passed = len([m for m in loaded if m not in unload])
    s.failed = len(failed) + len(unload)
    s.skipped = len(skipped)
    s.notes = ['loaded and unloaded: ' + ' '.join(loaded)]
    if skipped:
        s.notes.append('not in this kernel: ' + ' '.join(skipped))
    if not loaded and not failed:
        s.failed += 1
        s.notes.append('no module was loaded')


# The planted failures of the self-proof (selfcheck/selfcheck_faults.c). The
# WARN's report line names the function and module that raised it, e.g.
#   WARNING: CPU: 0 PID: 72 at .../selfcheck_faults.c:33
#   selfcheck_faults_init+0x37/0xff0 [selfcheck_faults]
# (one line; without CONFIG_DEBUG_BUGVERBOSE there is no "file:line ").
PLANTED_WARN_RE = re.compile(
    r'WARNING: CPU: \d+ PID: \d+ at (?:\S*/selfcheck_faults\.c:\d+ )?'
    r'selfcheck_faults_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[selfcheck_faults\]$')
# The leaked object starts with this marker: the first line of its report's
# hex dump (16 bytes) shows it in the ASCII column.
PLANTED_LEAK_ASCII = 'pasidvm-selfchec'
PLANTED_SUITES = ('kunit:selfcheck_kunit', 'selftests:selfcheck')
PLANTED_WHAT = 'failures planted by the harness self-proof, not our modules'


def kmemleak_blocks(text):
    """Split kmemleak's report into one text per object (each block runs
    from its "unreferenced object" line to the next; anything before the
    first is a block of its own)."""
    blocks = []
    for line in text.splitlines():
        if line.startswith('unreferenced object') or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    return ['\n'.join(b) for b in blocks]


def planted_leak(block):
    """Whether a kmemleak block reports the object selfcheck_faults leaks:
    the first line of its hex dump must show the marker."""
    lines = [ln.strip() for ln in block.splitlines()]
    for i, line in enumerate(lines[:-1]):
        if line.startswith('hex dump ('):
            return lines[i + 1].endswith('  ' + PLANTED_LEAK_ASCII)
    return False


def scan_log(run, suites, planted=None):
    """Scan the logs for kernel reports. With planted (a list), the hits
    that are the self-proof's planted WARN or leak go there instead."""
    s = Suite('kernel-log-scan')
    suites.append(s)
    hits = []

    def hit(line, is_planted):
        line = line.strip()
        if line in hits or (planted is not None and line in planted):
            return
        (planted if is_planted and planted is not None else hits).append(line)

    for f in ('console.log', 'dmesg.txt'):
        text = read(os.path.join(run, f)) or ''
        for line in text.splitlines():
            if REPORT_RE.search(line):
                hit(line, PLANTED_WARN_RE.search(line.strip()))
    for block in kmemleak_blocks(read(os.path.join(run, 'kmemleak.txt')) or ''):
        is_planted = planted_leak(block)
        for line in block.splitlines():
            if REPORT_RE.search(line):
                hit(line, is_planted)
    if not os.path.exists(os.path.join(run, 'done')):
        hits.append('the VM did not finish (crash, panic or timeout)')
    for f, what in (('load-failed.txt', 'failed to load'),
                    ('unload-failed.txt', 'failed to unload')):
        for mod in (read(os.path.join(run, f)) or '').split():
            hits.append(f'module {mod} {what}')
    s.notes = hits[:40]
    if hits:
        s.failed = 1
    else:
        s.passed = 1


PLATFORM_SUITES = ('selftests:platform',)
PLATFORM_WHAT = "KVM, VT-d and QEMU's edu device under VFIO, not our modules"


def totals(suites):
    return (sum(s.passed for s in suites), sum(s.failed for s in suites),
            sum(s.skipped for s in suites))


def print_suite(s, label=None):
    state = 'FAIL' if s.failed else 'ok'
    print(f'  {state:4} {label or s.name}: {s.passed} passed, {s.failed} failed'
          + (f', {s.skipped} skipped' if s.skipped else ''))
    for n in s.notes[:15]:
        print(f'         {n}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('run')
    ap.add_argument('--kunit-py', required=True)
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument('--smoke', action='store_true',
                    help='count every module loaded and unloaded cleanly')
    ap.add_argument('--planted', action='store_true',
                    help='the run carried the self-proof\'s planted failures: '
                    'report them apart (section "selfcheck")')
    args = ap.parse_args()

    suites = []
    if args.smoke:
        parse_smoke(args.run, suites)
    parse_kunit(args.run, args.kunit_py, suites)
    parse_selftests(args.run, suites)
    planted_hits = [] if args.planted else None
    scan_log(args.run, suites, planted_hits)

    planted = []
    if args.planted:
        planted = [s for s in suites if s.name in PLANTED_SUITES]
        suites = [s for s in suites if s.name not in PLANTED_SUITES]
        # the planted reports, counted as the self-proof's own log scan
        # (selfcheck/verify.py reads them as it reads a --selfcheck run's)
        ps = Suite('kernel-log-scan')
        ps.notes = planted_hits
        if planted_hits:
            ps.failed = 1
        else:
            ps.passed = 1
        planted.append(ps)
    platform = [s for s in suites if s.name in PLATFORM_SUITES]
    suites = [s for s in suites if s.name not in PLATFORM_SUITES]
    total_p, total_f, total_s = totals(suites)
    plat_p, plat_f, plat_s = totals(platform)
    res = dict(suites=[s.as_dict() for s in suites], passed=total_p,
               failed=total_f, skipped=total_s)
    if platform:
        res['platform'] = dict(what=PLATFORM_WHAT, passed=plat_p,
                               failed=plat_f, skipped=plat_s,
                               suites=[s.as_dict() for s in platform])
    if args.planted:
        sc_p, sc_f, sc_s = totals(planted)
        res['selfcheck'] = dict(what=PLANTED_WHAT, passed=sc_p, failed=sc_f,
                                skipped=sc_s,
                                suites=[s.as_dict() for s in planted])
    with open(os.path.join(args.run, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1)
    if not args.quiet:
        for s in suites:
            print_suite(s)
        print(f'  modules: {total_p} passed, {total_f} failed'
              + (f', {total_s} skipped' if total_s else ''))
        for s in platform:
            print_suite(s, f'platform ({PLATFORM_WHAT})')
        if planted:
            print(f'  selfcheck ({PLANTED_WHAT}: not counted above, '
                  'selfcheck/verify.py judges them):')
        for s in planted:
            print(f'    planted {s.name}: {s.passed} passed, {s.failed} failed')
            for n in s.notes[:15]:
                print(f'         {n}')
    return 1 if total_f or plat_f else 0


if __name__ == '__main__':
    sys.exit(main())
