#!/usr/bin/env node
// Drives the fake Phoenix server over its HTTP admin API from a non-JVM test suite, as a JavaScript, Swift, Kotlin or
// Python client's tests would: the official phoenix.js client joins a channel, and plain HTTP calls to /__admin/
// push to it, broadcast to it, read what it sent from the journal and disconnect it.
//
// Usage: node admin.js --base http://127.0.0.1:4000      (a `slipstream serve` with its demo channels)
//
// Output: one line `ADMIN {json}` per step (name, status, and on failure the error), then `N passed, N failed`.
// Exit code 0 iff every step passed; a failing step skips the rest.
'use strict';

const assert = require('node:assert/strict');
const { Socket } = require('phoenix');
const WebSocket = require('ws');

const args = process.argv.slice(2);
const baseIndex = args.indexOf('--base');
if (baseIndex < 0 || !args[baseIndex + 1]) {
  console.error('usage: node admin.js --base http://127.0.0.1:4000');
  process.exit(2);
}
const base = args[baseIndex + 1].replace(/\/+$/, '');

// One admin call: JSON in, JSON out, bounded.
async function admin(method, path, body) {
  const response = await fetch(base + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, json: await response.json() };
}

// Polls a condition; every wait is bounded and names what it waited for.
async function waitUntil(what, condition, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const topic = `echo:admin-${process.pid}`;
const userId = `js-${process.pid}`;
const state = { messages: [], closes: [] };
let socket;
let channel;
let connectionId;

const steps = [
  ['health', async () => {
    const health = await admin('GET', '/__admin/health');
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'ok');
  }],
  ['join', async () => {
    socket = new Socket(base.replace(/^http/, 'ws') + '/socket', {
      transport: WebSocket,
      params: { user_id: userId },
      reconnectAfterMs: () => 60000, // the disconnect step expects the close, not a reconnect
    });
    socket.onClose((e) => state.closes.push(e.code));
    socket.connect();
    channel = socket.channel(topic, {});
    channel.on('from_admin', (payload) => state.messages.push({ event: 'from_admin', payload }));
    channel.on('news', (payload) => state.messages.push({ event: 'news', payload }));
    await new Promise((resolve, reject) => channel.join()
      .receive('ok', resolve)
      .receive('error', (r) => reject(new Error(`join refused: ${JSON.stringify(r)}`)))
      .receive('timeout', () => reject(new Error('join timed out'))));
  }],
  ['connections', async () => {
    const { status, json } = await admin('GET', '/__admin/connections');
    assert.equal(status, 200);
    const mine = json.connections.find((c) => c.socket_id === `user_socket:${userId}`);
    assert.ok(mine, `this socket is listed: ${JSON.stringify(json)}`);
    assert.deepEqual(mine.topics, [topic]);
    connectionId = mine.id;
  }],
  ['push_to_connection', async () => {
    const { status } = await admin('POST', `/__admin/connections/${connectionId}/push`,
      { topic, event: 'from_admin', payload: { n: 1 } });
    assert.equal(status, 200);
    await waitUntil('the pushed message', () => state.messages.some((m) => m.event === 'from_admin'));
    assert.deepEqual(state.messages.find((m) => m.event === 'from_admin').payload, { n: 1 });
  }],
  ['broadcast', async () => {
    const { status, json } = await admin('POST', '/__admin/broadcast', { topic, event: 'news', payload: { body: 'hi' } });
    assert.equal(status, 200);
    assert.equal(json.subscribers, 1);
    await waitUntil('the broadcast', () => state.messages.some((m) => m.event === 'news'));
    assert.deepEqual(state.messages.find((m) => m.event === 'news').payload, { body: 'hi' });
  }],
  ['journal', async () => {
    await new Promise((resolve, reject) => channel.push('echo', { body: 'from js' })
      .receive('ok', resolve)
      .receive('error', reject)
      .receive('timeout', () => reject(new Error('echo timed out'))));
    const { json } = await admin('GET', `/__admin/journal?topic=${encodeURIComponent(topic)}&event=echo`);
    assert.equal(json.count, 1);
    assert.deepEqual(json.entries[0].payload, { body: 'from js' });
    assert.equal(json.entries[0].socket_id, `user_socket:${userId}`);
  }],
  ['bad_request', async () => {
    const { status, json } = await admin('POST', '/__admin/broadcast', { topic });
    assert.equal(status, 400);
    assert.equal(json.error, '"event" is required');
  }],
  ['disconnect_socket_id', async () => {
    const { status, json } = await admin('POST', `/__admin/sockets/user_socket:${userId}/disconnect`);
    assert.equal(status, 200);
    assert.equal(json.closed, 1);
    await waitUntil('the close', () => state.closes.length > 0);
    assert.equal(state.closes[0], json.code);
  }],
];

(async () => {
  let passed = 0;
  let failed = 0;
  for (const [name, step] of steps) {
    if (failed > 0) break;
    try {
      await step();
      passed++;
      console.log(`ADMIN ${JSON.stringify({ name, status: 'passed' })}`);
    } catch (e) {
      failed++;
      console.log(`ADMIN ${JSON.stringify({ name, status: 'failed', error: String(e && e.stack || e) })}`);
    }
  }
  if (socket) socket.disconnect();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed === steps.length ? 0 : 1);
})();
