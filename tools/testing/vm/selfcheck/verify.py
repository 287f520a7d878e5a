#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every failure planted by the self-proof run was caught.

Prints one TAP-like line per planted failure and "N passed, N failed" for
the self-proof; exits non-zero when a planted failure went unnoticed.
"""
import json
import os
import sys


def main():
    with open(sys.argv[1]) as f:
        res = json.load(f)
    suites = {s['name']: s for s in res['suites']}
    run = os.path.dirname(os.path.abspath(sys.argv[1]))
    try:
        with open(os.path.join(run, 'kmemleak.txt')) as f:
            kmemleak = f.read()
    except FileNotFoundError:
        kmemleak = ''
    kunit = suites.get('kunit:selfcheck_kunit', {})
    tests = suites.get('selftests:selfcheck', {})
    scan = suites.get('kernel-log-scan', {})
    checks = [
        ('failing KUnit case counted as a failure',
         kunit.get('failed') == 1 and kunit.get('passed') == 1),
        ('failing selftest counted as a failure',
         tests.get('failed') == 1 and tests.get('passed') == 1),
        ('kernel WARN caught by the log scan',
         scan.get('failed') == 1 and any(
             'WARNING:' in n and 'selfcheck_faults' in n
             for n in scan.get('notes', []))),
        ('leak caught by the kmemleak scan',
         scan.get('failed') == 1 and any(
             'unreferenced object' in n for n in scan.get('notes', []))
         and 'pasidvm-selfchec' in kmemleak),
    ]
    bad = 0
    for name, ok in checks:
        print(('ok   ' if ok else 'FAIL ') + 'selfcheck: ' + name)
        bad += not ok
    print(f'selfcheck: {len(checks) - bad} passed, {bad} failed')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
