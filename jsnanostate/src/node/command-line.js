// SPDX-License-Identifier: MIT
// command-line.js - getopt_long-style parsing for the Node.js hubs, so they
// take their options exactly as the C tools do: --name VALUE, --name=VALUE,
// -b VALUE, -bVALUE, clustered flags (-vh), optional values only after '='
// (--stats[=MS]), '--' ends the options. util.parseArgs has no optional
// values nor ranges, and words its errors otherwise.

/** A wrong command line: the tools print it with their usage, exit 2. */
export class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}

/**
 * An option: { name: 'max-frame', short?: 'm', value?: 'BYTES',
 *   optional?: default when given without '=VALUE', repeat?: true,
 *   range?: [min, max] (an integer), zero?: 0 allowed too,
 *   what?: 'a number of bytes from 1024 up' }
 * A flag has no `value`. Returns { values, rest }: values by camelCase name
 * (flags true, repeated ones arrays), rest the arguments after the options.
 */
export function parseCommandLine(argv, specs) {
    const byLong = new Map(specs.map((s) => [s.name, s]));
    const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short, s]));
    const values = {};
    for (const s of specs) {
        if (s.repeat)
            values[camel(s.name)] = [];
    }
    const rest = [];
    const take = (spec, text, shown) => {
        const key = camel(spec.name);
        const value = spec.range ? integer(text, spec, shown) : text;
        if (spec.repeat)
            values[key].push(value);
        else
            values[key] = value;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--') {
            rest.push(...argv.slice(i + 1));
            break;
        }
        if (arg.startsWith('--')) {
            const eq = arg.indexOf('=');
            const name = arg.slice(2, eq < 0 ? undefined : eq);
            const spec = byLong.get(name);
            if (!spec)
                throw new UsageError(`unknown option '--${name}'`);
            if (!spec.value) {
                if (eq >= 0)
                    throw new UsageError(`option '--${name}' takes no value`);
                values[camel(name)] = true;
            } else if (eq >= 0) {
                take(spec, arg.slice(eq + 1), `--${name}`);
            } else if ('optional' in spec) {
                take(spec, String(spec.optional), `--${name}`);
            } else if (i + 1 < argv.length) {
                take(spec, argv[++i], `--${name}`);
            } else {
                throw new UsageError(`option '--${name}' needs a value`);
            }
            continue;
        }
        if (arg.startsWith('-') && arg.length > 1) {
            for (let j = 1; j < arg.length; j++) {
                const spec = byShort.get(arg[j]);
                if (!spec)
                    throw new UsageError(`unknown option '-${arg[j]}'`);
                if (!spec.value) {
                    values[camel(spec.name)] = true;
                    continue;
                }
                if (j + 1 < arg.length)
                    take(spec, arg.slice(j + 1), `-${arg[j]}`);
                else if (i + 1 < argv.length)
                    take(spec, argv[++i], `-${arg[j]}`);
                else
                    throw new UsageError(`option '-${arg[j]}' needs a value`);
                break;
            }
            continue;
        }
        rest.push(arg);
    }
    return { values, rest };
}

function integer(text, spec, shown) {
    const [min, max] = spec.range;
    const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (spec.zero && n === 0)
        return 0;
    if (!Number.isSafeInteger(n) || n < min || n > max)
        throw new UsageError(`${shown} takes ${spec.what ?? `an integer from ${min} to ${max}`}`);
    return n;
}

function camel(name) {
    return name.replace(/-(.)/g, (m, c) => c.toUpperCase());
}
