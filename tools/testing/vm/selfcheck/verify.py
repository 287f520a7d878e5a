#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every failure planted by the self-proof run was caught.

Reads the results.json of either run that carries the planted failures:
"run-vm.sh --selfcheck" (they alone: the suites of results.json are theirs)
or "run-vm.sh --with-selfcheck", make check's (results.py --planted put them
in the section "selfcheck", apart from the modules' results).

Prints one TAP-like line per planted failure and "N passed, N failed" for
the self-proof; exits non-zero when a planted failure went unnoticed.
"""
import json
import os
import sys

# results.py, one directory up: what a planted WARN and leak look like
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import results  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        res = json.load(f)
    # make check's run: the planted failures' own section
    res = res.get('selfcheck', res)
    suites = {s['name']: s for s in res['suites']}
    run = os.path.dirname(os.path.abspath(sys.argv[1]))
    try:
        with open(os.path.join(run, 'kmemleak.txt')) as f:
            kmemleak = f.read()
    except FileNotFoundError:
        kmemleak = ''
    # the report lines of the leaked object's kmemleak blocks
    leaks = [b.splitlines()[0] for b in results.kmemleak_blocks(kmemleak)
             if results.planted_leak(b)]
    kunit = suites.get('kunit:selfcheck_kunit', {})
    tests = suites.get('selftests:selfcheck', {})
    scan = suites.get('kernel-log-scan', {})
    notes = scan.get('notes', [])
    checks = [
        ('failing KUnit case counted as a failure',
         kunit.get('failed') == 1 and kunit.get('passed') == 1),
        ('failing selftest counted as a failure',
         tests.get('failed') == 1 and tests.get('passed') == 1),
        ('kernel WARN caught by the log scan',
         scan.get('failed') == 1 and any(
             results.PLANTED_WARN_RE.search(n) for n in notes)),
        ('leak caught by the kmemleak scan',
         scan.get('failed') == 1 and any(n in leaks for n in notes)),
    ]
    bad = 0
    for name, ok in checks:
        print(('ok   ' if ok else 'FAIL ') + 'selfcheck: ' + name)
        bad += not ok
    print(f'selfcheck: {len(checks) - bad} passed, {bad} failed')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
