"""Make the repository importable as ``ansible_collections.ipsec.vpn`` for the tests.

The collection is the repository root, so a symlink tree under ``build/`` gives it the
path layout Python (and Ansible) expect without copying anything.
"""

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_ROOT = os.path.join(REPO_ROOT, "build", "collections")


def _ensure_collection_link():
    namespace_dir = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "ipsec")
    link = os.path.join(namespace_dir, "vpn")
    os.makedirs(namespace_dir, exist_ok=True)
    if not os.path.islink(link):
        try:
            os.symlink(REPO_ROOT, link)
        except FileExistsError:
            pass


_ensure_collection_link()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
