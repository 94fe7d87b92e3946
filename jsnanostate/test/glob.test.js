// SPDX-License-Identifier: MIT
// The CLI's name patterns: a glob matched against the whole name.

import assert from 'node:assert/strict';
import test from 'node:test';

import { globMatch } from '../src/glob.js';

test('* matches any characters, / included; the whole name must match', () => {
    assert.ok(globMatch('robot/*', 'robot/arm/angle'));
    assert.ok(globMatch('*', ''));
    assert.ok(globMatch('*angle', 'robot/arm/angle'));
    assert.ok(!globMatch('robot', 'robot/speed'));
    assert.ok(!globMatch('robot/*', 'robots/x'));
});

test('?, sets, ranges, negation and escapes', () => {
    assert.ok(globMatch('robot/?ode', 'robot/mode'));
    assert.ok(!globMatch('robot/?ode', 'robot/xmode'));
    assert.ok(globMatch('s[0-9]', 's7'));
    assert.ok(!globMatch('s[!0-9]', 's7'));
    assert.ok(globMatch('s[^0-9]', 'sx'));
    assert.ok(globMatch('a[]]b', 'a]b'));
    assert.ok(globMatch('a\\*b', 'a*b'));
    assert.ok(!globMatch('a\\*b', 'axb'));
    assert.ok(globMatch('a[b', 'a[b'), 'an unclosed [ is itself');
    assert.ok(globMatch('(x).+$', '(x).+$'), 'regex characters are literal');
    assert.ok(globMatch('ü*', 'über/ß'));
});
