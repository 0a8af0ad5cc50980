// phoenix.js codec probe of the Slipstream load harness (dev.slipstream.benchmarks.load.LoadHarness, benchmark "codec").
// usage: node codec.js <typical-payload.json> <large-payload.json> <warm-up ms> <measure ms>
// Times phoenix.js's own serializer (the one its Socket uses) on the messages CodecProbe times for the JVM clients:
// encode a push whose payload is an object, decode the V2 reply to it (which builds the payload's objects).
// Prints one JSON line: {"client":"phoenix.js","nanosPerOp":{"encodePush/typical":n, ...}}
'use strict';
const fs = require('fs');
const { Serializer } = require('phoenix');

const [typicalFile, largeFile, warmArg, measureArg] = process.argv.slice(2);
const warmMs = parseInt(warmArg, 10);
const measureMs = parseInt(measureArg, 10);
let sink = 0; // every result feeds this, so that no operation can be optimised away

// Runs op for warmMs, then for measureMs, and returns the nanoseconds per operation of the second phase.
function time(op) {
  const warmEnd = process.hrtime.bigint() + BigInt(warmMs) * 1000000n;
  while (process.hrtime.bigint() < warmEnd) op();
  const start = process.hrtime.bigint();
  const end = start + BigInt(measureMs) * 1000000n;
  let ops = 0;
  let now = start;
  while (now < end) {
    op();
    ops++;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / ops;
}

const nanosPerOp = {};
for (const [size, file] of [['typical', typicalFile], ['1MiB', largeFile]]) {
  const text = fs.readFileSync(file, 'utf8');
  const push = { join_ref: '3', ref: '17', topic: 'room:lobby', event: 'new_msg', payload: JSON.parse(text) };
  const reply = '["3","17","room:lobby","phx_reply",{"response":' + text + ',"status":"ok"}]';
  nanosPerOp['encodePush/' + size] = time(() => Serializer.encode(push, (s) => { sink += s.length; }));
  nanosPerOp['decodeReply/' + size] = time(() => Serializer.decode(reply, (m) => { sink += m.ref.length; }));
}
process.stdout.write(JSON.stringify({ client: 'phoenix.js', nanosPerOp, sink: sink > 0 }) + '\n');
