"""Shared helpers of the end-to-end tests (``lab_lock``) are importable from every test folder."""

import os
import sys

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
if E2E_DIR not in sys.path:
    sys.path.insert(0, E2E_DIR)
