# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for the project's documentation. The kernel-doc
# directive comes from the kernel source's Sphinx extension, used at build
# time (tools/testing/vm/htmldocs.sh passes its location in KSRC).
import os
import sys

ksrc = os.environ.get('KSRC')
if not ksrc:
    sys.exit('KSRC must point at a kernel source tree (see htmldocs.sh)')
sys.path.insert(0, os.path.join(ksrc, 'Documentation', 'sphinx'))

project = 'pasid-vm'
author = 'the pasid-vm developers'
copyright = 'the pasid-vm developers'
extensions = ['kerneldoc']
kerneldoc_bin = os.path.join(ksrc, 'scripts', 'kernel-doc')
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
master_doc = 'index'
exclude_patterns = ['output']
html_theme = 'alabaster'
primary_domain = 'c'
highlight_language = 'none'
