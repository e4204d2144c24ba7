#!/usr/bin/env node
'use strict';
// Usage: node newman-load.js FILE...
// Loads each collection file exactly as `newman run FILE` does before it sends anything:
// newman's own option loader (`newman/lib/run/options`: read the file, convert a v1
// collection, build an SDK `Collection` with the postman-collection copy newman ships).
// Running the collection is not possible here: its requests would go to the internet,
// and newman has no dry-run mode. Prints a JSON array with, per file, the loaded
// collection's `toJSON()` and its number of requests. Exits 1 with a message naming the
// file when newman cannot load one.
const fs = require('fs');
const path = require('path');
const uuids = require('./deterministic-uuid');

const newmanDir = uuids.packageDir('newman', __dirname);
uuids.install(uuids.packageDir('postman-collection', newmanDir));
const loadOptions = require(path.join(newmanDir, 'lib', 'run', 'options'));

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error('usage: node newman-load.js FILE...');
    process.exit(2);
}

function loadOne(file) {
    return new Promise((resolve, reject) => {
        uuids.reset();
        loadOptions({ collection: path.resolve(file), reporters: [] }, (err, loaded) => {
            if (err) {
                return reject(err);
            }
            if (!loaded || !loaded.collection) {
                return reject(new Error('newman loaded no collection'));
            }
            let requests = 0;
            loaded.collection.forEachItem(() => { requests += 1; });
            resolve({
                collection: JSON.parse(JSON.stringify(loaded.collection.toJSON())),
                requests,
            });
        });
    });
}

(async () => {
    const out = [];
    for (const file of files) {
        if (!fs.existsSync(file)) {
            console.error(`newman cannot load ${file}: no such file`);
            process.exit(1);
        }
        try {
            out.push(await loadOne(file));
        } catch (e) {
            console.error(`newman cannot load ${file}: ${e && e.stack || e}`);
            process.exit(1);
        }
    }
    process.stdout.write(JSON.stringify(out));
})();
