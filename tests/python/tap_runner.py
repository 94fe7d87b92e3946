# SPDX-License-Identifier: MIT
"""Runs the unittest tests in a folder (test_*.py) and prints TAP."""

import sys
import traceback
import unittest


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.number = 0

    def _line(self, test, status, directive=""):
        self.number += 1
        name = test.id().replace("test_", "", 1)
        print(f"{status} {self.number} - {name}{directive}", flush=True)

    def _diagnostic(self, err):
        for line in "".join(traceback.format_exception(*err)).splitlines():
            print(f"#   {line}")

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, "not ok")
        self._diagnostic(err)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(test, "not ok")
        self._diagnostic(err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, "ok", f" # SKIP {reason}")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._line(test, "ok", " # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line(test, "not ok", " # unexpected success")


def main():
    folder = sys.argv[1]
    suite = unittest.defaultTestLoader.discover(folder, pattern="test_*.py", top_level_dir=folder)
    print(f"1..{suite.countTestCases()}", flush=True)
    result = TapResult()
    suite.run(result)
    # Errors outside any test (a failing setUpClass) have no TAP line yet.
    return 0 if result.wasSuccessful() and result.number == suite.countTestCases() else 1


if __name__ == "__main__":
    sys.exit(main())
