# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one file writer of the collection's controller-side outputs (rendered configs, reports).

Pure Python (no ``ansible`` import).
"""

import os
import tempfile


def write_atomic(path, data, mode=0o644):
    """Write ``data`` (str or bytes) to ``path`` so that a reader never sees half a file.

    The content goes to a temporary file in the same folder, created with ``mode`` (so a secret is never
    readable by others, not even briefly), then renamed over ``path``. Returns True when the content or the
    mode changed, False when ``path`` already held exactly that.
    """
    if not isinstance(data, bytes):
        data = data.encode("utf-8")
    if os.path.exists(path):
        with open(path, "rb") as handle:
            same = handle.read() == data
        if same and (os.stat(path).st_mode & 0o777) == mode:
            return False
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".ipsec-vpn-")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return True
