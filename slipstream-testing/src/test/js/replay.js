#!/usr/bin/env node
// One session of the official phoenix.js client, the same steps as ReplayTest's other clients: run once through the
// recording proxy against the real (fake) backend, once against the stubs derived from that recording; the test
// compares what the client saw.
//
// Usage: node replay.js --url ws://127.0.0.1:4001/socket
//
// Output: one line `SEEN {json string}` per reply or server message, in the order the client saw them, then `DONE`.
// Exit code 0 when every step completed; 1 with the error otherwise.
'use strict';

const { Socket } = require('phoenix');
const WebSocket = require('ws');

const args = process.argv.slice(2);
const urlIndex = args.indexOf('--url');
if (urlIndex < 0 || !args[urlIndex + 1]) {
  console.error('usage: node replay.js --url ws://127.0.0.1:4001/socket');
  process.exit(2);
}

const seen = [];
const see = (line) => {
  seen.push(line);
  console.log('SEEN ' + JSON.stringify(line));
};

// Polls a condition; every wait is bounded and names what it waited for.
async function waitUntil(what, condition, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; seen: ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function outcome(push, what) {
  return new Promise((resolve, reject) => {
    push.receive('ok', (r) => resolve(['ok', r]))
      .receive('error', (r) => resolve(['error', r]))
      .receive('timeout', () => reject(new Error(`${what}: timeout`)));
  });
}

async function main() {
  const socket = new Socket(args[urlIndex + 1], {
    transport: WebSocket,
    params: { user_id: 'ada' },
    reconnectAfterMs: () => 60000,
  });
  socket.connect();
  const lobby = socket.channel('echo:lobby', { hello: 'there' });
  for (const event of ['pushed', 'broadcast', 'tick']) {
    lobby.on(event, (payload) => see(`push echo:lobby ${event} ${JSON.stringify(payload)}`));
  }
  const [joinStatus, joinResponse] = await outcome(lobby.join(10000), 'join echo:lobby');
  see(`join echo:lobby ${joinStatus} ${JSON.stringify(joinResponse)}`);
  const push = async (event, payload) => {
    const [status, response] = await outcome(lobby.push(event, payload, 10000), event);
    see(`reply echo:lobby ${event} ${status} ${JSON.stringify(response)}`);
  };
  await push('echo', { body: 'hi' });
  await push('echo', { body: 'again', n: 2 });
  await push('error', { reason: 'nope' });
  await push('push_back', { note: 'to me' });
  await push('broadcast', { msg: 'all' });
  await waitUntil('the broadcast', () => seen.some((l) => l.includes(' broadcast {')));
  await push('start_ticks', { ms: 60, count: 2 });
  await waitUntil('two ticks', () => seen.filter((l) => l.includes(' tick ')).length === 2);
  const secret = socket.channel('echo:private', { password: 'wrong' });
  const [privateStatus, privateResponse] = await outcome(secret.join(10000), 'join echo:private');
  see(`join echo:private ${privateStatus} ${JSON.stringify(privateResponse)}`);
  secret.leave(); // no rejoin after the refusal
  await new Promise((resolve) => socket.disconnect(resolve));
}

main().then(() => {
  console.log('DONE');
  process.exit(0);
}, (e) => {
  console.log('FAILED ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
