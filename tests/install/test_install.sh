#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# What a downstream project sees after `make install`; prints TAP.
#
# Installs the build into a staging folder (make install INSTALL_ROOT=...),
# then, against nothing but the installed tree:
#   - a C program built with `pkg-config --cflags --libs nanostate`,
#   - a Qt project whose .pro has the one line
#       include(PREFIX/share/nanostate/nanostate.pri)
#     using NanostateApp in C++ and `import Nanostate 1.0` in QML (offscreen,
#     software backend),
# each exchange values with the installed `nanostate` CLI through the
# installed `nanostate-hub`.
#
# Needs NANOSTATE_BUILD (a finished build), NANOSTATE_TEST_TMP (an empty
# temporary folder); tests/run sets both. The build keeps its PREFIX (default
# /usr/local): files land in INSTALL_ROOT/usr/local/..., and everything below
# finds them from the installed nanostate.pc.
set -u

build="${NANOSTATE_BUILD:?NANOSTATE_BUILD must name a finished build folder}"
tmp="${NANOSTATE_TEST_TMP:?NANOSTATE_TEST_TMP must name a temporary folder}"
root="$tmp/root"
url="ipc://$tmp/hub.sock"
unset NANOSTATE_URL LD_LIBRARY_PATH QML2_IMPORT_PATH QML_IMPORT_PATH
export QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software

. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

# value_is NAME WANT: true when the installed CLI reads WANT for state NAME;
# got_value holds what it read.
value_is() {
    got_value="$("$prefix/bin/nanostate" -c "$url" --timeout 500 get "$1" 2>&1)"
    [[ $got_value == "$2" ]]
}

# wait_for_value NAME WANT: until the CLI reads WANT for state NAME, 10 s at
# most; got_value holds the last reading.
wait_for_value() {
    wait_until 10 value_is "$1" "$2"
}

# resolves_to BINARY LIBRARY_SONAME: the path ldd finds for it, without "..";
# nothing if it finds none.
resolves_to() {
    local path
    path="$(ldd "$1" 2>/dev/null | awk -v lib="$2" '$1 == lib && $3 ~ /^\// { print $3 }')"
    [[ -z $path ]] || realpath -ms "$path"
}

plan 10

# ---------------------------------------------------------------------------
# 1-3. Install, and what lands where

prefix=""
qml_dir=""
if make -C "$build" install INSTALL_ROOT="$root" >"$tmp/install.log" 2>&1; then
    pass "make install INSTALL_ROOT=<tmp> installs the build"
else
    fail "make install INSTALL_ROOT=<tmp> installs the build" "$(tail_of "$tmp/install.log")"
fi

# PREFIX is whatever the build was configured with: the installed .pc says.
pc="$(find "$root" -path '*/lib/pkgconfig/nanostate.pc' 2>/dev/null | head -n 1)"
[[ -z $pc ]] || prefix="$(realpath -ms "${pc%/lib/pkgconfig/nanostate.pc}")"
qmldir="$(find "$root" -path '*/Nanostate/qmldir' 2>/dev/null | head -n 1)"
[[ -z $qmldir ]] || qml_dir="${qmldir%/Nanostate/qmldir}"
missing=()
if [[ -z $prefix ]]; then
    missing+=("lib/pkgconfig/nanostate.pc")
else
    for file in bin/nanostate-hub bin/nanostate lib/libnanostate.so lib/libqtnanostate.so \
        include/nanostate/nanostate.h include/nanostate/nanostateapp.h \
        include/nanostate/nanostatevariant.h include/nanostate/qtnanostate_global.h \
        share/nanostate/nanostate.pri; do
        [[ -e $prefix/$file ]] || missing+=("$file")
    done
fi
if [[ -z $qml_dir ]]; then
    missing+=("the QML module (.../Nanostate/qmldir)")
elif ! ls "$qml_dir"/Nanostate/lib*.so >/dev/null 2>&1; then
    missing+=("the QML plugin beside $qml_dir/Nanostate/qmldir")
fi
what="the install has the tools, libraries, headers, nanostate.pc, nanostate.pri and the QML module"
if ((${#missing[@]} == 0)); then
    pass "$what"
else
    fail "$what" "prefix: ${prefix:-not found}" "missing: ${missing[*]}"
fi

# The installed tools must not reach back into the build tree.
if [[ -z $prefix ]]; then
    skip "installed tools load the installed libraries" "nothing installed"
else
    want="$prefix/lib/libnanostate.so.1"
    hub_lib="$(resolves_to "$prefix/bin/nanostate-hub" libnanostate.so.1)"
    qt_lib="$(resolves_to "$prefix/lib/libqtnanostate.so" libnanostate.so.1)"
    if [[ $hub_lib == "$want" && $qt_lib == "$want" ]]; then
        pass "installed tools load the installed libraries"
    else
        fail "installed tools load the installed libraries" \
            "nanostate-hub -> ${hub_lib:-not found}" "libqtnanostate -> ${qt_lib:-not found}" \
            "expected $want"
    fi
fi

# ---------------------------------------------------------------------------
# 4. The installed hub, and a state for the programs below to read

hub_ready=0
if [[ -n $prefix ]]; then
    start_hub "$prefix/bin" "$url" "$tmp/hub.err" &&
        "$prefix/bin/nanostate" -c "$url" -i tester set install/greeting hello >/dev/null 2>&1
    wait_for_value install/greeting hello && hub_ready=1
fi
if ((hub_ready)); then
    pass "the installed hub runs and the installed CLI sets install/greeting"
elif [[ -z $prefix ]]; then
    skip "the installed hub runs and the installed CLI sets install/greeting" "nothing installed"
else
    fail "the installed hub runs and the installed CLI sets install/greeting" \
        "hub: $(cat "$tmp/hub.err")" "get install/greeting: $got_value"
fi

# ---------------------------------------------------------------------------
# 5-6. A C program built with pkg-config

cat >"$tmp/hello.c" <<'EOF'
/* Reads install/greeting, answers with install/from_c. */
#include <nanostate/nanostate.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    nanostate_app *app;
    nanostate_value value;
    const char *text;
    size_t len;
    char answer[128];
    int rc = nanostate_app_open(&app, "downstream-c", argc > 1 ? argv[1] : NULL);
    if (rc == 0)
        rc = nanostate_app_flush(app, 5000); /* synced: holds the hub's table */
    if (rc == 0)
        rc = nanostate_app_get(app, "install/greeting", &value, NULL);
    if (rc == 0)
        rc = nanostate_value_get_str(&value, &text, &len);
    if (rc == 0) {
        snprintf(answer, sizeof answer, "%.*s via C", (int)len, text);
        rc = nanostate_app_set_str(app, "install/from_c", answer);
    }
    if (rc == 0)
        rc = nanostate_app_flush(app, 5000); /* the hub has it */
    if (rc != 0)
        fprintf(stderr, "downstream-c: %s\n", nanostate_strerror(rc));
    nanostate_app_close(app);
    return rc == 0 ? 0 : 1;
}
EOF
c_built=0
what="a C program builds with 'pkg-config --cflags --libs nanostate'"
if [[ -n $prefix ]]; then
    # The .pc says prefix=PREFIX; the sysroot puts the staging folder in front.
    flags=()
    read -r -a flags < <(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root" \
        pkg-config --cflags --libs nanostate 2>"$tmp/c-build.log")
    if ((${#flags[@]} > 0)) &&
        ${CC:-cc} -Wall -Wextra -o "$tmp/hello" "$tmp/hello.c" "${flags[@]}" \
            -Wl,-rpath,"$prefix/lib" >>"$tmp/c-build.log" 2>&1; then
        c_built=1
        pass "$what (${flags[*]})"
    else
        fail "$what" "$(tail_of "$tmp/c-build.log")"
    fi
else
    skip "$what" "nothing installed"
fi

if ((c_built && hub_ready)); then
    if timeout 10 "$tmp/hello" "$url" >"$tmp/hello.out" 2>&1 &&
        wait_for_value install/from_c "hello via C"; then
        pass "the C program reads the CLI's state and the CLI reads its answer"
    else
        fail "the C program reads the CLI's state and the CLI reads its answer" \
            "program: $(cat "$tmp/hello.out")" \
            "get install/from_c: $got_value (expected 'hello via C')"
    fi
else
    skip "the C program reads the CLI's state and the CLI reads its answer" "not built or no hub"
fi

# ---------------------------------------------------------------------------
# 7-10. A Qt project with one line for Nanostate

app_dir="$tmp/qtapp"
mkdir -p "$app_dir"
cat >"$app_dir/qtapp.pro" <<EOF
QT += quick
CONFIG += c++17
SOURCES += main.cpp
include($prefix/share/nanostate/nanostate.pri)
EOF
cat >"$app_dir/main.cpp" <<'EOF'
// Reads install/greeting with NanostateApp, answers with install/from_cpp;
// its QML does the same through the QML module.
#include <nanostateapp.h>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QTimer>
#include <cstdio>

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    if (argc != 3)
        return 2;
    const QString url = QString::fromLocal8Bit(argv[1]);
    NanostateApp nanostate(url, QStringLiteral("downstream-cpp"));
    QObject::connect(&nanostate, &NanostateApp::syncedChanged, [&nanostate](bool synced) {
        if (!synced)
            return;
        const QString greeting = nanostate.state(QStringLiteral("install/greeting")).toString();
        std::printf("C++ read: %s\n", qPrintable(greeting));
        std::fflush(stdout);
        nanostate.setState(QStringLiteral("install/from_cpp"),
                           greeting + QStringLiteral(" via C++"));
    });
    if (!nanostate.open())
        return 1;

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral(NANOSTATE_QML_IMPORT_PATH)); // from nanostate.pri
    engine.setInitialProperties({ { QStringLiteral("hubUrl"), url } });
    engine.load(QUrl::fromLocalFile(QString::fromLocal8Bit(argv[2])));
    if (engine.rootObjects().isEmpty())
        return 1;
    QTimer::singleShot(15000, &app, &QGuiApplication::quit); // the test ends us sooner
    return app.exec();
}
EOF
cat >"$app_dir/main.qml" <<'EOF'
import QtQuick 2.15
import QtQuick.Window 2.15
import Nanostate 1.0

Window {
    property string hubUrl
    visible: true
    width: 200
    height: 50
    Nanostate {
        id: ns
        url: hubUrl
        identity: "downstream-qml"
    }
    // Bound to a state another process owns; answers once it shows it.
    Text {
        text: ns.states["install/greeting"] || ""
        onTextChanged: {
            console.log("QML read:", text)
            if (text)
                ns.set("install/from_qml", text + " via QML")
        }
    }
}
EOF

# The qmake the build was configured with.
qmake="$(sed -n 's/^QMAKE *= *//p' "$build/Makefile" 2>/dev/null)"
qt_built=0
what="a Qt project with include(PREFIX/share/nanostate/nanostate.pri) builds"
if [[ -z $prefix ]]; then
    skip "$what" "nothing installed"
elif (cd "$app_dir" && "${qmake:-qmake}" qtapp.pro && make -j"$(nproc)") \
    >"$tmp/qt-build.log" 2>&1; then
    qt_built=1
    pass "$what"
else
    fail "$what" "$(tail_of "$tmp/qt-build.log")"
fi

if ((qt_built)); then
    want="$prefix/lib/libqtnanostate.so.1"
    app_lib="$(resolves_to "$app_dir/qtapp" libqtnanostate.so.1)"
    if [[ $app_lib == "$want" ]]; then
        pass "the Qt program finds the installed libqtnanostate by its rpath"
    else
        fail "the Qt program finds the installed libqtnanostate by its rpath" \
            "libqtnanostate.so.1 -> ${app_lib:-not found}" "expected $want"
    fi
else
    skip "the Qt program finds the installed libqtnanostate by its rpath" "not built"
fi

cpp_test="NanostateApp in the Qt program reads the CLI's state and the CLI reads its answer"
qml_test="its QML (import Nanostate 1.0, offscreen) binds a Text to the CLI's state and answers"
if ((qt_built && hub_ready)); then
    # The module is in PREFIX/lib/qml, or in Qt's QML folder with the default
    # PREFIX: under the staging folder, QML2_IMPORT_PATH must say where.
    QML2_IMPORT_PATH="$qml_dir" "$app_dir/qtapp" "$url" "$app_dir/main.qml" \
        >"$tmp/qtapp.out" 2>&1 &
    qtapp_pid=$!
    track_pid "$qtapp_pid"
    if wait_for_value install/from_cpp "hello via C++"; then
        pass "$cpp_test"
    else
        fail "$cpp_test" "get install/from_cpp: $got_value (expected 'hello via C++')" \
            "$(tail_of "$tmp/qtapp.out")"
    fi
    if wait_for_value install/from_qml "hello via QML"; then
        pass "$qml_test"
    else
        fail "$qml_test" "get install/from_qml: $got_value (expected 'hello via QML')" \
            "QML2_IMPORT_PATH=$qml_dir" "$(tail_of "$tmp/qtapp.out")"
    fi
    kill "$qtapp_pid" 2>/dev/null
else
    skip "$cpp_test" "not built or no hub"
    skip "$qml_test" "not built or no hub"
fi
