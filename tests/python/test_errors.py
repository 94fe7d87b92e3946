# SPDX-License-Identifier: MIT
"""Errors: libnanostate not found, values and names the App refuses, error
codes mapped to exceptions with the library's text."""

import os
import subprocess
import unittest

import nanostate
from helpers import PYTHON, TMP, fresh_url


def run_python(code, **env):
    full = dict(os.environ)
    full.update(env)
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=full,
                          timeout=30, stdin=subprocess.DEVNULL)


class LibraryNotFound(unittest.TestCase):
    def test_nanostate_lib_pointing_nowhere_is_a_clear_error(self):
        nowhere = os.path.join(TMP, "no-such-dir", "libnanostate.so")
        done = run_python(
            "import nanostate\n"
            "try:\n"
            "    nanostate.Nanostate()\n"
            "except nanostate.LibraryNotFoundError as e:\n"
            "    print(e)\n",
            NANOSTATE_LIB=nowhere)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("libnanostate not found", done.stdout)
        self.assertIn(f"NANOSTATE_LIB={nowhere}", done.stdout)
        self.assertIn("NANOSTATE_LIB to the library file or its folder", done.stdout)

    def test_search_order(self):
        from nanostate import _lib

        saved = {k: os.environ.pop(k, None) for k in ("NANOSTATE_LIB", "NANOSTATE_BUILD",
                                                     "NANOSTATE_BIN")}
        try:
            os.environ["NANOSTATE_BUILD"] = "/build"
            os.environ["NANOSTATE_BIN"] = "/build/bin"
            looked, paths = _lib._search()
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None)
                if value is not None:
                    os.environ[key] = value
        self.assertEqual(looked[0], "NANOSTATE_BUILD: /build/lib")
        self.assertEqual(looked[1], "NANOSTATE_BIN/../lib: /build/lib")
        self.assertIn("the source tree's build: ", looked[2])
        self.assertIn("ctypes.util.find_library", looked[3])
        self.assertEqual(paths[0], "/build/lib/libnanostate.so.1")

    def test_places_looked_at_are_listed(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("NANOSTATE_LIB", "NANOSTATE_BUILD", "NANOSTATE_BIN")}
        env["NANOSTATE_BUILD"] = os.path.join(TMP, "empty-build")
        env["LD_LIBRARY_PATH"] = ""
        done = subprocess.run(
            [PYTHON, "-c", "import nanostate\n"
                           "try:\n    nanostate.Hub()\n"
                           "except nanostate.LibraryNotFoundError as e:\n    print(e)\n"],
            capture_output=True, text=True, env=env, timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, 0, done.stderr)
        out = done.stdout
        if "libnanostate not found" not in out:
            self.skipTest("a libnanostate is installed or in the source tree's build/")
        self.assertIn(f"NANOSTATE_BUILD: {env['NANOSTATE_BUILD']}/lib", out)
        self.assertIn("ctypes.util.find_library", out)

    def test_hub_command_without_library_exits_1(self):
        done = subprocess.run([PYTHON, "-m", "nanostate", "hub", "-b", fresh_url()],
                              capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, NANOSTATE_LIB="/nonexistent/lib"),
                              stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, 1)
        self.assertIn("nanostate-hub: libnanostate not found", done.stderr)

    def test_nanostate_lib_may_name_a_folder(self):
        folder = os.path.join(os.environ["NANOSTATE_BUILD"], "lib")
        done = run_python("import nanostate; print(nanostate.library_version())",
                          NANOSTATE_LIB=folder)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"^\d+\.\d+\.\d+")


class RefusedValues(unittest.TestCase):
    def setUp(self):
        self.app = nanostate.Nanostate(fresh_url(), "refuser")

    def tearDown(self):
        self.app.close()

    def test_integers_beyond_64_bits(self):
        for big in (2**64, -(2**63) - 1):
            with self.subTest(big=big), self.assertRaises(OverflowError):
                self.app.set("n", big)
        with self.assertRaises(OverflowError):
            self.app.set("n", [1, {"deep": 2**70}])
        self.assertNotIn("n", self.app.states)

    def test_unsupported_types(self):
        for value in (object(), {1, 2}, 1j):
            with self.subTest(value=value), self.assertRaises(TypeError):
                self.app.set("n", value)

    def test_names_map_to_library_errors(self):
        with self.assertRaises(nanostate.InvalidNameError) as caught:
            self.app.set("$reserved", 1)
        self.assertEqual(caught.exception.code, 9)
        self.assertIn("$reserved: ", str(caught.exception))
        with self.assertRaises(nanostate.InvalidNameError):
            self.app.set("", 1)
        with self.assertRaises(TypeError):
            self.app.set(b"bytes-name", 1)

    def test_bad_url(self):
        with self.assertRaises(nanostate.InvalidURLError) as caught:
            nanostate.Nanostate("nonsense://x")
        self.assertTrue(str(caught.exception))

    def test_local_replica_and_read_only_states(self):
        self.app.set("mine", {"a": 1})
        self.assertEqual(self.app.get("mine"), {"a": 1})
        self.assertEqual(self.app.get("absent", 7), 7)
        self.assertEqual(self.app.pending, 1)
        self.assertFalse(self.app.connected)
        with self.assertRaises(TypeError):
            self.app.states["mine"] = 2
        with self.assertRaises(KeyError):
            self.app.states["absent"]
        with self.assertRaises(nanostate.TimedOutError):
            self.app.flush(0.1)

    def test_callback_exceptions_come_out_of_dispatch(self):
        def broken(update):
            raise RuntimeError("from the callback")

        self.app.on_update(broken, local=True)
        with self.assertRaisesRegex(RuntimeError, "from the callback"):
            self.app.set("x", 1)
            self.app.dispatch()

    def test_closed_app(self):
        self.app.close()
        with self.assertRaises(nanostate.ClosedError):
            self.app.set("x", 1)
        self.app.close()  # twice is fine


if __name__ == "__main__":
    unittest.main()
