#!/usr/bin/env node
'use strict';
// Usage: node stringify-check.js FILE...
// Checks that each file is byte for byte what JavaScript's own
// `JSON.stringify(JSON.parse(text), null, "\t")` prints (the form Postman's git
// integration writes collections in). Prints nothing and exits 0 when all match; else
// names each file that differs, with the first differing line, and exits 1.
const fs = require('fs');

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error('usage: node stringify-check.js FILE...');
    process.exit(2);
}
let failed = false;
for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    let expected;
    try {
        expected = JSON.stringify(JSON.parse(text), null, '\t');
    } catch (e) {
        console.error(`${file}: not JSON: ${e.message}`);
        failed = true;
        continue;
    }
    if (text === expected) {
        continue;
    }
    failed = true;
    const got = text.split('\n');
    const want = expected.split('\n');
    let i = 0;
    while (i < got.length && i < want.length && got[i] === want[i]) {
        i += 1;
    }
    console.error(`${file}: differs from JSON.stringify(JSON.parse(text), null, "\\t") at line ${i + 1}:`);
    console.error(`  file:           ${JSON.stringify(got[i])}`);
    console.error(`  JSON.stringify: ${JSON.stringify(want[i])}`);
}
process.exit(failed ? 1 : 0);
