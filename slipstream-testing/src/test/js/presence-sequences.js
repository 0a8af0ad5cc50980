#!/usr/bin/env node
// Feeds recorded presence event sequences to phoenix.js's own Presence (npm "phoenix", pinned in package-lock.json)
// and prints what it reports, for PresenceAgainstPhoenixJsTest to compare with Slipstream's client on the same
// sequences (src/test/resources/presence-sequences/*.json; the format is described in their README.md).
//
// Usage: node presence-sequences.js --dir <directory of sequence files>
//
// Presence listens on a stand-in for its channel: `on(event, callback)` and `joinRef()`, all phoenix.js's Presence
// uses. A {"join": true} step gives the channel a new join_ref (a join or rejoin); an {"event", "payload"} step
// delivers that message. Output: one line per sequence, `SEQUENCE {"name", "calls", "list"}` where calls are
// ["join", key, current|null, joined], ["leave", key, current, left] and ["sync", [[key, presence], ...]] in the
// order Presence made them (each written as JSON at the moment of the call), and list is the final list().
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { Presence } = require('phoenix');

function parseArgs(argv) {
  const i = argv.indexOf('--dir');
  if (i < 0 || !argv[i + 1]) throw new Error('usage: node presence-sequences.js --dir <directory>');
  return { dir: argv[i + 1] };
}

/** The part of a Channel that Presence uses. */
class StandInChannel {
  constructor() {
    this.handlers = {};
    this.ref = null;
    this.joins = 0;
  }
  on(event, callback) { (this.handlers[event] = this.handlers[event] || []).push(callback); }
  joinRef() { return this.ref; }
  join() { this.ref = `join-${++this.joins}`; }
  deliver(event, payload) { (this.handlers[event] || []).forEach(cb => cb(payload)); }
}

const snapshot = value => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

function run(sequence) {
  const channel = new StandInChannel();
  const presence = new Presence(channel);
  const calls = [];
  presence.onJoin((key, current, joined) => calls.push(['join', key, snapshot(current), snapshot(joined)]));
  presence.onLeave((key, current, left) => calls.push(['leave', key, snapshot(current), snapshot(left)]));
  presence.onSync(() => calls.push(['sync', snapshot(presence.list((key, p) => [key, p]))]));
  for (const step of sequence.steps) {
    if (step.join) {
      channel.join();
    } else {
      // A fresh copy per delivery, as a decoded frame would be.
      channel.deliver(step.event, snapshot(step.payload));
    }
  }
  return { name: sequence.name, calls, list: snapshot(presence.list((key, p) => [key, p])) };
}

const args = parseArgs(process.argv.slice(2));
const files = fs.readdirSync(args.dir).filter(f => f.endsWith('.json')).sort();
let failed = 0;
for (const file of files) {
  try {
    const sequence = JSON.parse(fs.readFileSync(path.join(args.dir, file), 'utf8'));
    console.log('SEQUENCE ' + JSON.stringify(run(sequence)));
  } catch (e) {
    failed++;
    console.log('SEQUENCE ' + JSON.stringify({ name: file, error: String(e && e.stack || e) }));
  }
}
console.log(`${files.length - failed} ran, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
