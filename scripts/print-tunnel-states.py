#!/usr/bin/env python
"""Print one line per tunnel end from one or more verify report folders (verify.json)."""

import json
import os
import sys


def rows(report):
    for host in report["hosts"]:
        for end in host["tunnels"]:
            traffic = end["traffic"]
            if traffic["checked"]:
                moved = "encaps +%s / decaps +%s" % (traffic["encaps_delta"], traffic["decaps_delta"])
            else:
                moved = "not probed"
            cause = "" if end["status"] == "up" else "  <- %s: %s" % (end["cause_code"], end["cause"])
            yield "  %-8s %-32s -> %-8s %-4s phase1=%-12s %s%s" % (
                host["host"], end["tunnel"], end["peer"] or "-", end["status"].upper(),
                end["phase1"]["state"] or "-", moved, cause)


def main(folders):
    failed = False
    for folder in folders:
        path = os.path.join(folder, "verify.json")
        if not os.path.exists(path):
            print("%s: no report (the verify run did not get that far)" % folder)
            failed = True
            continue
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
        summary = report["summary"]
        print("%s: %s, %d/%d tunnels up" % (os.path.basename(folder.rstrip("/")), report["status"].upper(),
                                            summary["tunnels_up"], summary["tunnels"]))
        for line in rows(report):
            print(line)
        failed = failed or report["status"] != "up"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
