#!/usr/bin/env node
'use strict';
// Usage: node collection-tojson.js FILE...
// Loads each collection file with the Postman SDK (npm `postman-collection`,
// `new Collection(json)`) and prints a JSON array with `collection.toJSON()` of each, in
// order. Ids the SDK invents are reproducible (see deterministic-uuid.js). Exits 1 with a
// message naming the file when one cannot be read, parsed or loaded.
const fs = require('fs');
const uuids = require('./deterministic-uuid');

uuids.install(uuids.packageDir('postman-collection', __dirname));
const { Collection } = require('postman-collection');

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error('usage: node collection-tojson.js FILE...');
    process.exit(2);
}
const out = [];
for (const file of files) {
    try {
        const json = JSON.parse(fs.readFileSync(file, 'utf8'));
        uuids.reset();
        const collection = new Collection(json);
        out.push(JSON.parse(JSON.stringify(collection.toJSON())));
    } catch (e) {
        console.error(`postman-collection cannot load ${file}: ${e && e.stack || e}`);
        process.exit(1);
    }
}
process.stdout.write(JSON.stringify(out));
