# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IOS rendering, running-config recognition and ordered diff (pure Python, no ansible import).

* :mod:`.constructs` - the construct table: every IOS construct the collection renders, defined once with its
  parser, typed and displayed forms, ``no`` form, stage and ownership test.
* :mod:`.render` - a host's plan -> intended nodes -> the reviewable text artifact.
* :mod:`.running` - ``show running-config`` text -> recognised nodes.
* :mod:`.diff` - intended vs recognised nodes -> the ordered command list (create, update, purge, ledger).
"""
