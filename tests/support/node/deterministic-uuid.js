'use strict';
// Makes the ids the Postman SDK invents reproducible. postman-collection gives a fresh
// `uuid.v4()` to every item, folder, response and script that has no id of its own, so
// two loads of the same collection differ in those ids. The fidelity test compares two
// loads, so both must invent the same ids at the same places: this replaces `uuid.v4`
// (as seen by the copy of the SDK that `fromDir` resolves) with a counter that `reset()`
// restarts. It must run before that SDK is first required.
const path = require('path');

let counter = 0;

function v4() {
    counter += 1;
    return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

/** Installs the counter for the `uuid` module that `require` would find from `fromDir`. */
function install(fromDir) {
    const file = require.resolve('uuid', { paths: [fromDir] });
    const real = require(file);
    require.cache[file] = {
        id: file,
        filename: file,
        loaded: true,
        exports: Object.assign({}, real, { v4 }),
        children: [],
        paths: [],
    };
}

/** Restarts the counter (before each collection). */
function reset() {
    counter = 0;
}

/** The directory of an installed package, as `require` finds it from `fromDir`. */
function packageDir(name, fromDir) {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [fromDir] }));
}

module.exports = { install, reset, packageDir };
