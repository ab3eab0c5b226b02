#!/usr/bin/env node
// Validate a JSON Lines file of xAPI statements (lesim run --records xapi writes xapi.jsonl) with
// Learning Locker's independent validator, @learninglocker/xapi-validation (xAPI 1.0.3; its one
// export returns a list of warnings, [] when a statement is valid). Also flags a line that is not
// a JSON object and a statement id used twice (an LRS refuses the second).
// Prints `file:line: where: problem` for each problem, then the count;
// exit status 0 if every statement is valid, 1 if any is not, 2 if the file cannot be read.
'use strict';

const fs = require('fs');
const readline = require('readline');
const validate = require('@learninglocker/xapi-validation').default;

function describe(w) {
  const type = w.typeName || (w.type && (w.type.name || String(w.type)));
  const detail = (type && `expected ${type}`) || (w.keys && `unexpected keys ${JSON.stringify(w.keys)}`) ||
    (w.requiredValue !== undefined && `must be ${JSON.stringify(w.requiredValue)}`) || '';
  const value = w.data === undefined || typeof w.data === 'object' ? '' : ` (got ${JSON.stringify(w.data)})`;
  return `${w.path.join('.')}: ${w.constructor.name}${detail ? ': ' + detail : ''}${value}`;
}

async function main(file) {
  if (!file) {
    console.error('usage: node validate.js FILE.jsonl');
    return 2;
  }
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  const ids = new Map();
  let n = 0;
  let bad = 0;
  try {
    for await (const line of lines) {
      n += 1;
      let problems;
      try {
        const statement = JSON.parse(line);
        const isObject = statement !== null && typeof statement === 'object' && !Array.isArray(statement);
        problems = isObject ? validate(statement).map(describe) : ['not a JSON object'];
        if (isObject && typeof statement.id === 'string') {
          if (ids.has(statement.id)) problems.push(`id: used before, on line ${ids.get(statement.id)}`);
          else ids.set(statement.id, n);
        }
      } catch (e) {
        problems = [`not JSON (${e.message})`];
      }
      for (const p of problems) console.log(`${file}:${n}: ${p}`);
      if (problems.length) bad += 1;
    }
  } catch (e) {
    console.error(`${file}: cannot read it (${e.message})`);
    return 2;
  }
  console.log(bad ? `${file}: ${bad} of ${n} statements invalid` : `${file}: ${n} statements valid`);
  return bad ? 1 : 0;
}

main(process.argv[2]).then((code) => { process.exitCode = code; });
