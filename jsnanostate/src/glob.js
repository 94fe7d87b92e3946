// SPDX-License-Identifier: MIT
// glob.js - the name patterns of the nanostate CLI: a shell glob matched
// against the whole name, where '*' also matches '/'. '?' is one character,
// [abc], [a-z] and [!a-z] (or [^a-z]) a set; '\' quotes the next character.

/** A RegExp that matches the names `pattern` covers. */
export function globToRegExp(pattern) {
    let re = '^';
    const chars = [...pattern];
    for (let i = 0; i < chars.length; i++) {
        const ch = chars[i];
        if (ch === '*') {
            re += '[\\s\\S]*';
        } else if (ch === '?') {
            re += '[\\s\\S]';
        } else if (ch === '\\' && i + 1 < chars.length) {
            re += escape(chars[++i]);
        } else if (ch === '[') {
            const close = setEnd(chars, i);
            if (close < 0) {
                re += '\\[';
                continue;
            }
            let body = chars.slice(i + 1, close);
            let negate = false;
            if (body[0] === '!' || body[0] === '^') {
                negate = true;
                body = body.slice(1);
            }
            re += (negate ? '[^' : '[') + body.map((c) => (c === '-' ? '-' : escape(c))).join('') + ']';
            i = close;
        } else {
            re += escape(ch);
        }
    }
    return new RegExp(re + '$', 'u');
}

// Index of the ']' that closes the set opened at i, or -1.
function setEnd(chars, i) {
    let j = i + 1;
    if (chars[j] === '!' || chars[j] === '^')
        j++;
    if (chars[j] === ']')
        j++; // a ']' first in the set is a member
    for (; j < chars.length; j++)
        if (chars[j] === ']')
            return j;
    return -1;
}

function escape(ch) {
    return /[\\^$.*+?()[\]{}|\/]/.test(ch) ? '\\' + ch : ch;
}

/** True when `name` matches the glob `pattern`. */
export function globMatch(pattern, name) {
    return globToRegExp(pattern).test(name);
}
