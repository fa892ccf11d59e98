"""Every suite runs ansible-playbook through tests/playbook_runner.py."""

import ast
import os

import playbook_runner

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_no_other_test_module_runs_ansible_playbook_itself():
    found = []
    for folder, dirs, names in os.walk(TESTS):
        dirs[:] = [d for d in dirs if d not in ("output", "fixtures", "__pycache__")]
        for name in names:
            path = os.path.join(folder, name)
            if not name.endswith(".py") or path in (os.path.abspath(playbook_runner.__file__), os.path.abspath(__file__)):
                continue
            with open(path) as handle:
                tree = ast.parse(handle.read())
            if any(isinstance(n, ast.Constant) and n.value == "ansible-playbook" for n in ast.walk(tree)):
                found.append(os.path.relpath(path, TESTS))
    assert found == [], "use playbook_runner.run() instead of calling ansible-playbook in: %s" % ", ".join(found)


def test_the_result_reads_the_recap():
    class Done(object):
        returncode = 2
        stdout = "PLAY RECAP\nR2   : ok=3    changed=1    unreachable=0    failed=1    skipped=2    rescued=0\n"
        stderr = "boom"

    result = playbook_runner.Result(Done(), 1.5, json_output=False)
    assert result.rc == 2 and result.output.endswith("boom")
    assert result.recap == {"R2": {"ok": 3, "changed": 1, "unreachable": 0, "failed": 1, "skipped": 2}}
    assert result.changed() == {"R2": 1}
