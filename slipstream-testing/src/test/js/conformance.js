#!/usr/bin/env node
// Conformance scenarios: the official phoenix.js client (npm "phoenix", pinned in package-lock.json) against a
// server that runs the demo channels `echo:*` and `presence:*` of Slipstream's fake Phoenix server (the same demo
// app whose real-Phoenix frames are recorded in the project's reference notes).
//
// Usage:
//   node conformance.js --base http://127.0.0.1:4000 [--idle-base http://127.0.0.1:4001 --idle-timeout-ms 1500]
//                       [--phoenix 1.8|1.7] [--only name,name] [--scenario-timeout-ms 30000]
//
// --base       the server's HTTP base URL; the socket is mounted at /socket (websocket at /socket/websocket).
// --idle-base  a second server, same demo channels, configured with a short idle timeout of --idle-timeout-ms.
// --helpers    demo (default: the demo app's POST /broadcast and /disconnect routes) or admin (the admin API's).
//              The heartbeat and idle-timeout scenarios use it; without it they fail with a clear message.
// --phoenix    which Phoenix version the server imitates; only where 1.7 really differs do expectations change.
//
// Output: one line per scenario, `SCENARIO {json}` with name, status ("passed" | "failed"), duration and, on failure,
// the error and the frame log of that scenario; then a final line `N passed, N failed`. Exit code 0 iff all passed.
'use strict';

const assert = require('node:assert/strict');
const http = require('node:http');
const { Socket, Presence } = require('phoenix');
const WebSocket = require('ws');

// ---------------------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const args = { phoenix: '1.8', scenarioTimeoutMs: 30000, idleTimeoutMs: null, only: null, base: null, idleBase: null,
    helpers: 'demo' };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    const need = () => {
      if (value === undefined) throw new Error(`missing value for ${key}`);
      i++;
      return value;
    };
    switch (key) {
      case '--base': args.base = need().replace(/\/+$/, ''); break;
      case '--idle-base': args.idleBase = need().replace(/\/+$/, ''); break;
      case '--idle-timeout-ms': args.idleTimeoutMs = Number(need()); break;
      case '--phoenix': args.phoenix = need(); break;
      case '--only': args.only = need().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--scenario-timeout-ms': args.scenarioTimeoutMs = Number(need()); break;
      case '--list': args.list = true; break;
      case '--helpers': args.helpers = need(); break;
      default: throw new Error(`unknown argument ${key}`);
    }
  }
  if (!args.list && !args.base) throw new Error('--base is required');
  if (args.phoenix !== '1.8' && args.phoenix !== '1.7') throw new Error(`--phoenix must be 1.8 or 1.7, got ${args.phoenix}`);
  if (args.idleBase && !(args.idleTimeoutMs > 0)) throw new Error('--idle-base needs --idle-timeout-ms');
  if (args.helpers !== 'demo' && args.helpers !== 'admin') throw new Error(`--helpers must be demo or admin, got ${args.helpers}`);
  return args;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let uniqueCounter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++uniqueCounter}`;
const wsUrl = (base) => base.replace(/^http/, 'ws') + '/socket';

function hex(data) {
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('hex');
}

function bytes(...values) {
  return new Uint8Array(values).buffer;
}

function describeFrame(data) {
  if (typeof data === 'string') return data;
  const buf = Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  return `<binary ${buf.length} bytes> hex=${buf.toString('hex')}`;
}

// Plain JSON view of a value (Presence state objects have a null prototype, which deepStrictEqual would reject).
const plain = (value) => JSON.parse(JSON.stringify(value));

// Polls a condition; every wait is bounded and names what it waited for.
async function waitUntil(what, condition, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

// Resolves with the first outcome of a phoenix.js Push: {status: "ok"|"error"|"timeout", response, ms}.
function outcome(push) {
  const started = Date.now();
  return new Promise((resolve) => {
    push
      .receive('ok', (response) => resolve({ status: 'ok', response, ms: Date.now() - started }))
      .receive('error', (response) => resolve({ status: 'error', response, ms: Date.now() - started }))
      .receive('timeout', () => resolve({ status: 'timeout', response: undefined, ms: Date.now() - started }));
  });
}

function httpRequest(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// A broadcast from outside any channel and a disconnect of a user's sockets, through the demo app's HTTP routes
// (--helpers demo) or the admin API (--helpers admin: a server answering from stub files has no demo routes).
async function broadcastOverHttp(args, topic, event, payload) {
  const demo = args.helpers === 'demo';
  const res = demo
    ? await httpRequest('POST', `${args.base}/broadcast/${encodeURIComponent(topic)}/${encodeURIComponent(event)}`, {
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) })
    : await httpRequest('POST', `${args.base}/__admin/broadcast`, {
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ topic, event, payload }) });
  assert.equal(res.status, 200, `POST ${demo ? '/broadcast' : '/__admin/broadcast'} answered ${res.status} ${res.body}`);
}

async function disconnectOverHttp(args, user) {
  if (args.helpers === 'demo') {
    const res = await httpRequest('POST', `${args.base}/disconnect/${encodeURIComponent(user)}`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { disconnected: `user_socket:${user}` });
  } else {
    const res = await httpRequest('POST', `${args.base}/__admin/sockets/${encodeURIComponent(`user_socket:${user}`)}/disconnect`);
    assert.equal(res.status, 200, `POST /__admin/sockets/.../disconnect answered ${res.status} ${res.body}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A scenario context: creates phoenix.js sockets whose transport records every frame, and tears them down.

class Context {
  constructor(args) {
    this.args = args;
    this.lines = [];
    this.notes = [];
    this.clients = [];
    this.started = Date.now();
  }

  log(line) {
    this.lines.push(`+${String(Date.now() - this.started).padStart(5)}ms ${line}`);
  }

  // An observation worth reporting even when the scenario passes (e.g. the close code the server chose).
  note(text) {
    this.notes.push(text);
    this.log(`note: ${text}`);
  }

  // Opens a phoenix.js Socket and connects it. `label` tells connections apart in the log.
  client(label, { base = this.args.base, connect = true, ...opts } = {}) {
    const ctx = this;
    const c = { label, sent: [], received: [], rawIn: [], opens: 0, closes: [], errors: [], transports: 0 };
    // ws is phoenix.js's WebSocket under Node; the subclass only records frames, it changes nothing on the wire.
    class RecordingWebSocket extends WebSocket {
      constructor(url, protocols) {
        super(url, protocols);
        c.transports++;
        ctx.log(`[${label}] open ${url}`);
        this.addEventListener('message', (e) => {
          const binary = typeof e.data !== 'string';
          c.rawIn.push({ binary, kind: binary ? new Uint8Array(e.data)[0] : null, text: binary ? null : e.data, at: Date.now() });
          ctx.log(`[${label}] S> ${describeFrame(e.data)}`);
        });
        this.addEventListener('close', (e) => ctx.log(`[${label}] closed code=${e.code} reason="${e.reason}"`));
        this.addEventListener('error', (e) => ctx.log(`[${label}] error ${e.message}`));
      }

      send(data) {
        ctx.log(`[${label}] C> ${describeFrame(data)}`);
        if (typeof data === 'string') {
          // V2 frames are arrays; V1 frames (objects) are recorded in the same [join_ref, ref, topic, event, payload] shape.
          const f = JSON.parse(data);
          const frame = Array.isArray(f) ? f : [f.join_ref === undefined ? null : f.join_ref, f.ref, f.topic, f.event, f.payload];
          c.sent.push({ binary: false, frame, at: Date.now() });
        } else {
          c.sent.push({ binary: true, hex: hex(data), at: Date.now() });
        }
        super.send(data);
      }
    }
    c.socket = new Socket(wsUrl(base), {
      transport: RecordingWebSocket,
      timeout: 3000,
      reconnectAfterMs: () => 50,
      rejoinAfterMs: () => 50,
      ...opts,
    });
    c.socket.onOpen(() => { c.opens++; });
    c.socket.onClose((e) => { c.closes.push({ code: e.code, reason: e.reason, at: Date.now() }); });
    c.socket.onError((e) => { c.errors.push({ message: e && e.message, at: Date.now() }); });
    c.socket.onMessage((m) => { c.received.push({ ...m, at: Date.now() }); });
    c.opened = () => waitUntil(`[${label}] socket open`, () => c.socket.isConnected());
    c.sentOn = (topic, event) => c.sent.filter((s) => !s.binary && s.frame[2] === topic && (!event || s.frame[3] === event));
    c.receivedOn = (topic, event) => c.received.filter((m) => m.topic === topic && (!event || m.event === event));
    c.replyTo = (ref) => c.received.find((m) => m.event === 'phx_reply' && m.ref === ref);
    this.clients.push(c);
    if (connect) c.socket.connect();
    return c;
  }

  // Joins a new channel and resolves with {channel, outcome, joinRef}.
  async join(c, topic, params = {}) {
    const channel = c.socket.channel(topic, params);
    const result = await outcome(channel.join());
    return { channel, result, joinRef: channel.joinRef() };
  }

  async joinOk(c, topic, params = {}) {
    const joined = await this.join(c, topic, params);
    assert.equal(joined.result.status, 'ok', `join ${topic} should succeed, got ${JSON.stringify(joined.result)}`);
    return joined;
  }

  // One echo through a joined channel. A scenario that needs a second client's subscription in place before another
  // client broadcasts uses it, so that a server that subscribes only after sending the join reply fails the scenario
  // made for exactly that (broadcast_after_join_reply) instead of failing unrelated ones now and then.
  async roundTrip(channel) {
    const r = await outcome(channel.push('echo', { sync: true }));
    assert.equal(r.status, 'ok', `echo round trip on ${channel.topic}: ${JSON.stringify(r)}`);
  }

  async cleanup() {
    await Promise.all(this.clients.map((c) => new Promise((resolve) => {
      try {
        c.socket.disconnect(resolve);
      } catch (e) {
        resolve();
      }
      setTimeout(resolve, 2000);
    })));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios. Expected behaviour per the Phoenix protocol notes (server: §2, phoenix.js: §4) and the recorded frames
// of the demo channels.

const scenarios = [];
const scenario = (name, fn) => scenarios.push({ name, fn });

scenario('connect', async (ctx) => {
  const c = ctx.client('a');
  await c.opened();
  assert.equal(c.socket.connectionState(), 'open');
  assert.match(c.socket.endPointURL(), /\/socket\/websocket\?vsn=2\.0\.0$/);
  // ping() sends a heartbeat and measures the round trip to its reply.
  const rtt = await new Promise((resolve) => assert.equal(c.socket.ping(resolve), true));
  assert.equal(typeof rtt, 'number');
  const hb = c.sent.find((s) => s.frame[2] === 'phoenix');
  assert.deepEqual(hb.frame, [null, hb.frame[1], 'phoenix', 'heartbeat', {}]);
  const reply = c.replyTo(hb.frame[1]);
  assert.ok(reply, 'heartbeat reply');
  assert.deepEqual({ ...reply, at: 0 }, { join_ref: null, ref: hb.frame[1], topic: 'phoenix', event: 'phx_reply', payload: { response: {}, status: 'ok' }, at: 0 });
  assert.equal(c.errors.length, 0);
  assert.equal(c.closes.length, 0);
});

scenario('connect_rejected_403', async (ctx) => {
  // The raw upgrade: 403 with an empty body, no upgrade.
  const url = `${ctx.args.base}/socket/websocket?reject=true&vsn=2.0.0`;
  const res = await httpRequest('GET', url, {
    headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
  });
  assert.equal(res.status, 403, 'rejected connect must answer 403');
  assert.equal(res.body, '', 'the 403 body must be empty');
  // phoenix.js: the socket never opens, reports errors, and keeps retrying (browsers only see 1006).
  const c = ctx.client('rejected', { params: { reject: 'true' } });
  await waitUntil('two failed connection attempts', () => c.errors.length >= 2 && c.closes.length >= 2);
  assert.equal(c.opens, 0, 'a rejected socket must never open');
  assert.match(String(c.errors[0].message), /403/, 'the handshake error should carry the 403 status');
  assert.equal(c.closes[0].code, 1006);
  assert.ok(c.transports >= 2, 'phoenix.js retries a rejected connect');
  // An unsupported serializer version is refused the same way.
  const vsn3 = ctx.client('vsn3', { vsn: '3.0.0' });
  await waitUntil('the vsn=3.0.0 connect refused', () => vsn3.errors.length >= 1);
  assert.equal(vsn3.opens, 0);
  assert.match(String(vsn3.errors[0].message), /403/);
  // The same server still accepts a good connect.
  const ok = ctx.client('accepted');
  await ok.opened();
});

scenario('join_ok', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:join');
  const params = { x: 1, nested: { a: 'b' }, list: [1, 2] };
  const { channel, result, joinRef } = await ctx.join(c, topic, params);
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.response, { joined: topic, params });
  assert.equal(channel.state, 'joined');
  const joinFrame = c.sentOn(topic, 'phx_join')[0].frame;
  assert.deepEqual(joinFrame, [joinRef, joinRef, topic, 'phx_join', params], 'phoenix.js joins with join_ref == ref');
  const reply = c.replyTo(joinRef);
  assert.equal(reply.join_ref, joinRef, 'the join reply echoes the join_ref');
  assert.equal(reply.topic, topic);
});

scenario('join_error', async (ctx) => {
  const c = ctx.client('a');
  const wrong = await ctx.join(c, 'echo:private', { password: 'wrong' });
  assert.deepEqual({ status: wrong.result.status, response: wrong.result.response }, { status: 'error', response: { reason: 'unauthorized' } });
  assert.equal(wrong.channel.state, 'errored');
  assert.equal(c.replyTo(wrong.joinRef).join_ref, wrong.joinRef, 'a refused join keeps the join_ref in its reply');
  // phoenix.js retries a refused join (rejoinAfterMs), with a new join_ref each time.
  await waitUntil('a retried join', () => c.sentOn('echo:private', 'phx_join').length >= 2);
  const retry = c.sentOn('echo:private', 'phx_join')[1].frame;
  assert.notEqual(retry[0], wrong.joinRef);
  await waitUntil('the retried join refused', () => c.replyTo(retry[1]));
  assert.deepEqual(c.replyTo(retry[1]).payload, { response: { reason: 'unauthorized' }, status: 'error' });
  await outcome(wrong.channel.leave());
  // The leave of a topic that has no channel on the server is answered ok (not "unmatched topic").
  const leaveRef = c.sentOn('echo:private', 'phx_leave')[0].frame[1];
  await waitUntil('the reply to the leave of a refused topic', () => c.replyTo(leaveRef));
  assert.deepEqual(c.replyTo(leaveRef).payload, { response: {}, status: 'ok' });

  const missing = await ctx.join(c, 'echo:private', {});
  assert.deepEqual({ status: missing.result.status, response: missing.result.response }, { status: 'error', response: { reason: 'unauthorized' } });
  await outcome(missing.channel.leave());

  const right = await ctx.join(c, 'echo:private', { password: 'secret' });
  assert.equal(right.result.status, 'ok');
  assert.deepEqual(right.result.response, { joined: 'echo:private', params: { password: 'secret' } });
});

scenario('join_crashed', async (ctx) => {
  const c = ctx.client('a');
  const { channel, result, joinRef } = await ctx.join(c, 'echo:join_crash', {});
  assert.equal(result.status, 'error');
  assert.deepEqual(result.response, { reason: 'join crashed' });
  assert.equal(channel.state, 'errored');
  assert.equal(c.replyTo(joinRef).join_ref, joinRef, 'a crashed join keeps the join_ref in its reply');
  // The connection survives the crash.
  await ctx.joinOk(c, unique('echo:after-crash'));
});

scenario('join_unmatched_topic', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('nomatch');
  const { result, joinRef } = await ctx.join(c, topic, {});
  assert.equal(result.status, 'error');
  assert.deepEqual(result.response, { reason: 'unmatched topic' });
  const reply = c.replyTo(joinRef);
  assert.equal(reply.join_ref, null, 'an unmatched-topic reply has a null join_ref');
  assert.equal(reply.topic, topic);
  // Anything on the "phoenix" topic but a heartbeat is an unmatched topic too.
  const ref = c.socket.makeRef();
  c.socket.push({ topic: 'phoenix', event: 'not_a_heartbeat', payload: {}, ref, join_ref: null });
  await waitUntil('the reply on the phoenix topic', () => c.replyTo(ref));
  assert.deepEqual([c.replyTo(ref).join_ref, c.replyTo(ref).payload], [null, { response: { reason: 'unmatched topic' }, status: 'error' }]);
  await ctx.joinOk(c, unique('echo:after-unmatched'));
});

scenario('push_reply_ok_error', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:push');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  const payload = { hi: 'there', n: 1.5, nested: { list: [1, 'two', null, true] }, unicode: 'héllo ✓' };
  const ok = await outcome(channel.push('echo', payload));
  assert.deepEqual({ status: ok.status, response: ok.response }, { status: 'ok', response: payload });
  const err = await outcome(channel.push('error', { why: 'asked' }));
  assert.deepEqual({ status: err.status, response: err.response }, { status: 'error', response: { why: 'asked' } });
  const unknown = await outcome(channel.push('nosuchevent', { z: 0 }));
  assert.deepEqual({ status: unknown.status, response: unknown.response },
    { status: 'error', response: { reason: 'unknown event', event: 'nosuchevent', payload: { z: 0 } } });
  for (const s of c.sentOn(topic).filter((s) => s.frame[3] !== 'phx_join')) {
    assert.equal(s.frame[0], joinRef, 'phoenix.js sends the join_ref on every channel push');
    const reply = c.replyTo(s.frame[1]);
    assert.ok(reply, `a reply to ref ${s.frame[1]}`);
    assert.equal(reply.join_ref, joinRef, 'replies carry the channel join_ref');
  }
});

scenario('push_noreply_timeout', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:noreply');
  const { channel } = await ctx.joinOk(c, topic);
  const res = await outcome(channel.push('noreply', { q: 1 }, 300));
  assert.equal(res.status, 'timeout');
  assert.ok(res.ms >= 290, `the push should time out after its 300 ms timeout, took ${res.ms} ms`);
  const sent = c.sentOn(topic, 'noreply')[0].frame;
  assert.equal(c.replyTo(sent[1]), undefined, 'noreply must get no reply at all');
  assert.equal(channel.state, 'joined');
  const after = await outcome(channel.push('echo', { still: 'here' }));
  assert.deepEqual(after.response, { still: 'here' });
});

scenario('broadcast_two_clients', async (ctx) => {
  const topic = unique('echo:bc');
  const a = ctx.client('a');
  const b = ctx.client('b');
  const ja = await ctx.joinOk(a, topic);
  const jb = await ctx.joinOk(b, topic);
  await ctx.roundTrip(jb.channel); // see roundTrip: keeps this scenario about broadcasts, not the join race
  const got = { a: [], b: [] };
  for (const ev of ['broadcast', 'ext_event']) {
    ja.channel.on(ev, (p) => got.a.push([ev, p]));
    jb.channel.on(ev, (p) => got.b.push([ev, p]));
  }

  // broadcast: every subscriber, the sender included; the sender sees the broadcast before its reply.
  const res = await outcome(ja.channel.push('broadcast', { b: 1 }));
  assert.deepEqual({ status: res.status, response: res.response }, { status: 'ok', response: {} });
  await waitUntil('b receives the broadcast', () => got.b.length === 1);
  assert.deepEqual(got.a, [['broadcast', { b: 1 }]]);
  assert.deepEqual(got.b, [['broadcast', { b: 1 }]]);
  for (const c of [a, b]) {
    const m = c.receivedOn(topic, 'broadcast')[0];
    assert.equal(m.join_ref, null, 'a fastlane broadcast has a null join_ref');
    assert.equal(m.ref, null, 'a fastlane broadcast has a null ref');
  }
  const sentRef = a.sentOn(topic, 'broadcast')[0].frame[1];
  const order = a.received.filter((m) => m.topic === topic).map((m) => m.event === 'phx_reply' ? `reply:${m.ref}` : m.event);
  assert.ok(order.indexOf('broadcast') < order.indexOf(`reply:${sentRef}`), `broadcast before the reply, got ${order}`);

  // broadcast_from: everyone but the sender.
  const bfCount = () => b.receivedOn(topic, 'broadcast').length;
  const res2 = await outcome(ja.channel.push('broadcast_from', { c: 2 }));
  assert.equal(res2.status, 'ok');
  await waitUntil('b receives the broadcast_from', () => bfCount() === 2);
  assert.deepEqual(got.b[1], ['broadcast', { c: 2 }]);
  await sleep(200);
  assert.equal(a.receivedOn(topic, 'broadcast').length, 1, 'broadcast_from must not reach the sender');

  // A broadcast from outside any channel (the HTTP helper) reaches both.
  await broadcastOverHttp(ctx.args, topic, 'ext_event', { e: 3 });
  await waitUntil('both receive the HTTP broadcast', () => got.a.length === 2 && got.b.length === 3);
  assert.deepEqual(got.a[1], ['ext_event', { e: 3 }]);
  assert.deepEqual(got.b[2], ['ext_event', { e: 3 }]);
});

scenario('server_push', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:push-back');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  const pushed = [];
  channel.on('pushed', (p) => pushed.push(p));
  const res = await outcome(channel.push('push_back', { p: 1 }));
  assert.deepEqual({ status: res.status, response: res.response }, { status: 'ok', response: {} });
  assert.deepEqual(pushed, [{ p: 1 }]);
  const m = c.receivedOn(topic, 'pushed')[0];
  assert.equal(m.join_ref, joinRef, 'a channel push carries the join_ref');
  assert.equal(m.ref, null, 'a channel push has a null ref');
  const ref = c.sentOn(topic, 'push_back')[0].frame[1];
  const order = c.received.filter((x) => x.topic === topic).map((x) => x.event === 'phx_reply' ? `reply:${x.ref}` : x.event);
  assert.ok(order.indexOf('pushed') < order.indexOf(`reply:${ref}`), `push before the reply, got ${order}`);

  // Timer-driven pushes from the channel: the reply first, then the ticks.
  const ticks = [];
  channel.on('tick', (p) => ticks.push(p));
  const t = await outcome(channel.push('start_ticks', { ms: 50, count: 2 }));
  assert.equal(t.status, 'ok');
  await waitUntil('two ticks', () => ticks.length === 2);
  assert.deepEqual(ticks, [{ n: 1 }, { n: 2 }]);
  await sleep(200);
  assert.equal(ticks.length, 2, 'ticks stop after count');
  for (const tick of c.receivedOn(topic, 'tick')) assert.equal(tick.join_ref, joinRef);

  // Endless ticks stop with the channel: nothing of it reaches the wire after its phx_close.
  const t2 = await outcome(channel.push('start_ticks', { ms: 30 }));
  assert.equal(t2.status, 'ok');
  await waitUntil('endless ticks running', () => ticks.length >= 4);
  await outcome(channel.leave());
  await waitUntil('phx_close after the leave', () => c.receivedOn(topic, 'phx_close').length === 1);
  const closedAt = c.receivedOn(topic, 'phx_close')[0].at;
  await sleep(300);
  assert.deepEqual(c.received.filter((m) => m.topic === topic && m.at > closedAt).map((m) => m.event), [],
    'no frame of a channel after its phx_close');
});

scenario('channel_crash_rejoin', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:crash');
  let attempt = 0;
  // phoenix.js evaluates a params closure on every (re)join; the server must see the new params.
  const channel = c.socket.channel(topic, () => ({ attempt: ++attempt }));
  const first = await outcome(channel.join());
  assert.deepEqual({ status: first.status, response: first.response }, { status: 'ok', response: { joined: topic, params: { attempt: 1 } } });
  const joinRef = channel.joinRef();
  const errors = [];
  let joins = 0;
  channel.onError((p) => errors.push(p));
  channel.joinPush.receive('ok', () => joins++); // fires at once for the join that already succeeded
  assert.equal(joins, 1);
  channel.push('crash', {});
  await waitUntil('phx_error from the server', () => c.receivedOn(topic, 'phx_error').length === 1);
  const err = c.receivedOn(topic, 'phx_error')[0];
  assert.equal(err.join_ref, joinRef, 'phx_error carries the join_ref');
  assert.equal(err.ref, joinRef, 'phx_error carries ref = join_ref');
  const expected = ctx.args.phoenix === '1.7' ? {} : { reason: 'channel_crash' };
  assert.deepEqual(err.payload, expected, `phx_error payload for Phoenix ${ctx.args.phoenix}`);
  assert.deepEqual(errors[0], expected);
  const crashRef = c.sentOn(topic, 'crash')[0].frame[1];
  assert.equal(c.replyTo(crashRef), undefined, 'a crashing handler sends no reply');

  // phoenix.js rejoins by itself, with a fresh join_ref.
  await waitUntil('automatic rejoin', () => joins === 2 && channel.state === 'joined');
  const newJoinRef = channel.joinRef();
  assert.notEqual(newJoinRef, joinRef);
  assert.equal(c.sentOn(topic, 'phx_join').length, 2);
  assert.deepEqual(c.replyTo(newJoinRef).payload, { response: { joined: topic, params: { attempt: 2 } }, status: 'ok' });
  const echo = await outcome(channel.push('echo', { back: true }));
  assert.deepEqual(echo.response, { back: true });
  assert.equal(c.replyTo(c.sentOn(topic, 'echo')[0].frame[1]).join_ref, newJoinRef);
});

scenario('channel_stop_no_rejoin', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:stop');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  let closed = 0;
  channel.onClose(() => closed++);
  channel.push('stop', {});
  await waitUntil('phx_close after stop', () => closed === 1);
  const close = c.receivedOn(topic, 'phx_close')[0];
  assert.deepEqual([close.join_ref, close.ref, close.payload], [joinRef, joinRef, {}]);
  assert.equal(c.replyTo(c.sentOn(topic, 'stop')[0].frame[1]), undefined, 'stop sends no reply');
  assert.equal(channel.state, 'closed');
  assert.ok(!c.socket.channels.includes(channel), 'a closed channel is removed from the socket');
  await sleep(400); // rejoinAfterMs is 50 ms: a rejoin would have happened by now
  assert.equal(c.sentOn(topic, 'phx_join').length, 1, 'no rejoin after phx_close');

  // stop_reply: the reply first, then phx_close.
  const topic2 = unique('echo:stop-reply');
  const j2 = await ctx.joinOk(c, topic2);
  let closed2 = 0;
  j2.channel.onClose(() => closed2++);
  const r = await outcome(j2.channel.push('stop_reply', { bye: 1 }));
  assert.deepEqual({ status: r.status, response: r.response }, { status: 'ok', response: { bye: 1 } });
  await waitUntil('phx_close after stop_reply', () => closed2 === 1);
  const events = c.receivedOn(topic2).map((m) => m.event);
  assert.deepEqual(events, ['phx_reply', 'phx_reply', 'phx_close']);
});

scenario('leave', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:leave');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  let closed = 0;
  channel.onClose(() => closed++);
  const res = await outcome(channel.leave());
  assert.equal(res.status, 'ok');
  await waitUntil('onClose', () => closed === 1);
  const leave = c.sentOn(topic, 'phx_leave')[0].frame;
  assert.deepEqual([leave[0], leave[4]], [joinRef, {}]);
  // On the wire: the ok reply to the leave, then phx_close for the join_ref.
  await waitUntil('the server close after the leave reply', () => c.receivedOn(topic, 'phx_close').length === 1);
  const frames = c.receivedOn(topic).slice(1).map((m) => [m.join_ref, m.ref, m.event, m.payload]);
  assert.deepEqual(frames, [
    [joinRef, leave[1], 'phx_reply', { response: {}, status: 'ok' }],
    [joinRef, joinRef, 'phx_close', {}],
  ]);
  // A push to the topic after the leave is an unmatched topic, with a null join_ref.
  const ref = c.socket.makeRef();
  c.socket.push({ topic, event: 'echo', payload: { late: 1 }, ref, join_ref: joinRef });
  await waitUntil('the reply to a push after leave', () => c.replyTo(ref));
  const late = c.replyTo(ref);
  assert.deepEqual([late.join_ref, late.payload], [null, { response: { reason: 'unmatched topic' }, status: 'error' }]);
});

scenario('duplicate_join', async (ctx) => {
  const c = ctx.client('a');
  const topic = unique('echo:dup');
  // (1) The public path: a second Channel instance for a joined topic. phoenix.js leaves the first one first.
  const first = await ctx.joinOk(c, topic, { n: 1 });
  let firstClosed = 0;
  const firstEchoes = [];
  first.channel.onClose(() => firstClosed++);
  first.channel.on('pushed', (p) => firstEchoes.push(p));
  const second = await ctx.join(c, topic, { n: 2 });
  assert.equal(second.result.status, 'ok');
  assert.deepEqual(second.result.response, { joined: topic, params: { n: 2 } });
  assert.equal(firstClosed, 1, 'the first instance is closed');
  assert.equal(second.channel.state, 'joined');
  const r = await outcome(second.channel.push('push_back', { to: 'second' }));
  assert.equal(r.status, 'ok');
  assert.deepEqual(firstEchoes, [], 'the old instance gets nothing of the new join');

  // (2) A real duplicate join on the wire: re-send the join of a joined channel (what phoenix.js's rejoin sends,
  // without the leave). Phoenix: the new join's reply first, then phx_close for the OLD join_ref, which phoenix.js
  // drops as outdated; the channel stays joined under the new join_ref.
  const oldRef = second.joinRef;
  let secondClosed = 0;
  second.channel.onClose(() => secondClosed++);
  const again = outcome(second.channel.joinPush);
  second.channel.joinPush.resend(3000);
  const newRef = second.channel.joinRef();
  assert.notEqual(newRef, oldRef);
  assert.equal((await again).status, 'ok');
  await waitUntil('phx_close for the old join_ref', () => c.receivedOn(topic, 'phx_close').some((m) => m.join_ref === oldRef));
  const tail = c.receivedOn(topic).filter((m) => m.ref === newRef || m.event === 'phx_close');
  const seq = tail.map((m) => [m.join_ref, m.ref, m.event]);
  const iReply = seq.findIndex((x) => x[1] === newRef && x[2] === 'phx_reply');
  const iClose = seq.findIndex((x) => x[0] === oldRef && x[2] === 'phx_close');
  assert.ok(iReply >= 0 && iClose > iReply, `new join reply before the old phx_close, got ${JSON.stringify(seq)}`);
  assert.deepEqual(seq[iClose], [oldRef, oldRef, 'phx_close']);
  assert.equal(secondClosed, 0, 'phoenix.js ignores the stale phx_close');
  assert.equal(second.channel.state, 'joined');
  const e = await outcome(second.channel.push('echo', { still: 'joined' }));
  assert.deepEqual({ status: e.status, response: e.response }, { status: 'ok', response: { still: 'joined' } });
  assert.equal(c.replyTo(c.sentOn(topic, 'echo')[0].frame[1]).join_ref, newRef);
});

scenario('binary', async (ctx) => {
  const topic = unique('echo:bin');
  const a = ctx.client('a');
  const b = ctx.client('b');
  const ja = await ctx.joinOk(a, topic);
  const jb = await ctx.joinOk(b, topic);
  await ctx.roundTrip(jb.channel); // see roundTrip

  // Binary push -> binary reply (kind 1) with the same bytes.
  const res = await outcome(ja.channel.push('binary', bytes(1, 2, 3, 255)));
  assert.equal(res.status, 'ok');
  assert.ok(res.response instanceof ArrayBuffer, 'a binary reply decodes to an ArrayBuffer');
  assert.equal(hex(res.response), '010203ff');
  assert.ok(a.sent.some((s) => s.binary), 'phoenix.js sent a binary frame');
  assert.ok(a.rawIn.some((f) => f.binary && f.kind === 1), 'the server answered with a binary reply frame');

  // Binary server push (kind 0).
  const pushed = [];
  ja.channel.on('binary_pushed', (p) => pushed.push(p));
  const r2 = await outcome(ja.channel.push('binary_push', bytes(0x68, 0x69)));
  assert.deepEqual({ status: r2.status, response: r2.response }, { status: 'ok', response: {} });
  assert.equal(pushed.length, 1);
  assert.ok(pushed[0] instanceof ArrayBuffer);
  assert.equal(hex(pushed[0]), '6869');
  assert.equal(a.receivedOn(topic, 'binary_pushed')[0].join_ref, ja.joinRef);
  assert.ok(a.rawIn.some((f) => f.binary && f.kind === 0), 'a binary push frame');

  // Binary broadcast (kind 2) to both clients.
  const bcA = [];
  const bcB = [];
  ja.channel.on('binary_broadcast', (p) => bcA.push(p));
  jb.channel.on('binary_broadcast', (p) => bcB.push(p));
  const r3 = await outcome(ja.channel.push('binary_broadcast', bytes(0xca, 0xfe)));
  assert.equal(r3.status, 'ok');
  await waitUntil('both receive the binary broadcast', () => bcA.length === 1 && bcB.length === 1);
  assert.equal(hex(bcA[0]), 'cafe');
  assert.equal(hex(bcB[0]), 'cafe');
  assert.ok(bcB[0] instanceof ArrayBuffer);
  assert.ok(b.rawIn.some((f) => f.binary && f.kind === 2), 'a binary broadcast frame');

  // A JSON payload to the binary event is refused by the channel.
  const r4 = await outcome(ja.channel.push('binary', { not: 'binary' }));
  assert.deepEqual({ status: r4.status, response: r4.response },
    { status: 'error', response: { got: { not: 'binary' }, reason: 'expected binary payload' } });
});

scenario('presence_two_clients', async (ctx) => {
  const topic = unique('presence:room');
  const alice = unique('alice');
  const bob = unique('bob');
  const a = ctx.client('alice', { params: { user_id: alice } });
  const b = ctx.client('bob', { params: { user_id: bob } });

  const pa = { joins: [], leaves: [], syncs: 0 };
  const chA = a.socket.channel(topic, {});
  const presA = new Presence(chA);
  presA.onJoin((key, current, newPres) => pa.joins.push([key, !!current, plain(newPres)]));
  presA.onLeave((key, current, leftPres) => pa.leaves.push([key, plain(current), plain(leftPres)]));
  presA.onSync(() => pa.syncs++);
  const ra = await outcome(chA.join());
  assert.deepEqual({ status: ra.status, response: ra.response }, { status: 'ok', response: { joined: topic, key: alice } });
  await waitUntil('alice sees herself', () => presA.list().length === 1);
  const keysOf = (p) => p.list((key) => key).sort();
  assert.deepEqual(keysOf(presA), [alice]);
  const aliceMeta = presA.list()[0].metas;
  assert.equal(aliceMeta.length, 1);
  assert.equal(typeof aliceMeta[0].phx_ref, 'string');
  assert.equal(typeof aliceMeta[0].online_at, 'number');
  const state = a.receivedOn(topic, 'presence_state')[0];
  assert.equal(state.join_ref, chA.joinRef(), 'presence_state is a channel push with the join_ref');
  assert.equal(state.ref, null);
  assert.deepEqual(Object.keys(plain(state.payload)), [alice]);
  assert.deepEqual(Object.keys(plain(state.payload)[alice]), ['metas']);

  // Bob joins: alice gets a presence_diff (a fastlane broadcast) with bob's join.
  const chB = b.socket.channel(topic, {});
  const presB = new Presence(chB);
  const rb = await outcome(chB.join());
  assert.equal(rb.status, 'ok');
  await waitUntil('alice sees bob', () => keysOf(presA).length === 2);
  await waitUntil('bob sees both', () => keysOf(presB).length === 2);
  assert.deepEqual(keysOf(presA), [alice, bob].sort());
  const bobJoin = pa.joins.find((j) => j[0] === bob);
  assert.ok(bobJoin && bobJoin[1] === false, 'onJoin for a new key');
  const diff = a.receivedOn(topic, 'presence_diff').find((m) => plain(m.payload).joins[bob]);
  assert.deepEqual([diff.join_ref, diff.ref], [null, null]);
  assert.deepEqual(Object.keys(plain(diff.payload)).sort(), ['joins', 'leaves']);
  assert.deepEqual(plain(diff.payload).leaves, {});

  // A meta update is one diff with a join and a leave for the same key.
  const oldBobRef = presA.state[bob].metas[0].phx_ref;
  const up = await outcome(chB.push('update_meta', { status: 'away' }));
  assert.equal(up.status, 'ok');
  await waitUntil('alice sees bob away', () => presA.state[bob] && presA.state[bob].metas[0].status === 'away');
  assert.equal(presA.state[bob].metas.length, 1, 'the update replaces the meta');
  const upd = a.receivedOn(topic, 'presence_diff').map((m) => plain(m.payload)).find((p) => p.joins[bob] && p.leaves[bob]);
  assert.ok(upd, 'update_meta produces one diff holding both a join and a leave for the key');
  assert.equal(upd.leaves[bob].metas[0].phx_ref, oldBobRef);
  assert.notEqual(upd.joins[bob].metas[0].phx_ref, oldBobRef);

  // `list` replies with the presence_state shape.
  const listed = await outcome(chB.push('list', {}));
  assert.equal(listed.status, 'ok');
  assert.deepEqual(Object.keys(listed.response).sort(), [alice, bob].sort());
  assert.equal(listed.response[bob].metas[0].status, 'away');

  // Bob's socket goes away: alice gets the leave.
  await new Promise((resolve) => b.socket.disconnect(resolve));
  await waitUntil('alice sees bob leave', () => keysOf(presA).length === 1);
  assert.deepEqual(keysOf(presA), [alice]);
  const leave = pa.leaves.find((l) => l[0] === bob);
  assert.ok(leave, 'onLeave for bob');
  const leaveDiff = a.receivedOn(topic, 'presence_diff').map((m) => plain(m.payload)).filter((p) => p.leaves[bob]).pop();
  assert.deepEqual(leaveDiff.joins, {});
});

scenario('server_disconnect_reconnect', async (ctx) => {
  const user = unique('dc');
  const topic = unique('echo:dc');
  const a = ctx.client('a', { params: { user_id: user } });
  const other = ctx.client('other', { params: { user_id: unique('keep') } });
  const { channel } = await ctx.joinOk(a, topic);
  await other.opened();
  let joins = 0;
  const chanErrors = [];
  channel.joinPush.receive('ok', () => joins++); // fires at once for the join that already succeeded
  channel.onError((p) => chanErrors.push(p));
  const before = a.received.length;

  await disconnectOverHttp(ctx.args, user);

  await waitUntil('the server closes the connection', () => a.closes.length === 1);
  const expectedCode = ctx.args.phoenix === '1.7' ? 1000 : 1001;
  assert.equal(a.closes[0].code, expectedCode, `disconnect close code for Phoenix ${ctx.args.phoenix}`);
  ctx.note(`disconnect close code=${a.closes[0].code}`);
  const framesBeforeClose = a.received.slice(before).filter((m) => m.at <= a.closes[0].at);
  assert.deepEqual(framesBeforeClose.map((m) => m.event), [], 'no frame is sent before a disconnect close');
  assert.deepEqual(chanErrors[0], { source: 'transport', reason: 'connection_closed' });

  // phoenix.js reconnects and rejoins on the new connection.
  await waitUntil('reconnect and rejoin', () => a.opens === 2 && joins === 2 && channel.state === 'joined');
  assert.equal(a.sentOn(topic, 'phx_join').length, 2, 'one rejoin');
  const echo = await outcome(channel.push('echo', { back: 1 }));
  assert.deepEqual(echo.response, { back: 1 });
  assert.equal(other.closes.length, 0, 'only the connections with that socket id are closed');
});

scenario('heartbeats', async (ctx) => {
  if (!ctx.args.idleBase) throw new Error('needs --idle-base (a server with a short idle timeout)');
  // Heartbeats at a third of the idle timeout keep a connection alive well past the server's short idle timeout.
  // (phoenix.js also uses the interval as the reply deadline, so a much shorter one would test the machine's load
  // rather than the server.)
  // A first connection warms up a freshly started server (class loading, JIT), whose first replies can otherwise
  // miss the reply deadline for reasons that have nothing to do with the protocol.
  const warm = ctx.client('warm-up', { base: ctx.args.idleBase });
  await warm.opened();
  await new Promise((resolve) => warm.socket.ping(resolve));
  await new Promise((resolve) => warm.socket.disconnect(resolve));
  const interval = Math.max(100, Math.floor(ctx.args.idleTimeoutMs / 3));
  const c = ctx.client('hb', { base: ctx.args.idleBase, heartbeatIntervalMs: interval });
  await c.opened();
  const started = Date.now();
  const beats = () => c.received.filter((m) => m.topic === 'phoenix');
  await waitUntil('heartbeats for longer than the idle timeout',
    () => Date.now() - started > ctx.args.idleTimeoutMs * 2 && beats().length >= 4, ctx.args.idleTimeoutMs * 2 + 10000);
  const sentBeats = c.sent.filter((s) => s.frame[2] === 'phoenix');
  for (const m of beats()) {
    assert.deepEqual([m.join_ref, m.event, m.payload], [null, 'phx_reply', { response: {}, status: 'ok' }]);
    assert.ok(sentBeats.some((s) => s.frame[1] === m.ref), 'each reply answers a heartbeat ref');
  }
  for (const s of sentBeats) assert.deepEqual([s.frame[0], s.frame[3], s.frame[4]], [null, 'heartbeat', {}]);
  assert.equal(c.closes.length, 0, 'a heartbeating connection is not closed');
  assert.equal(c.opens, 1);
});

scenario('idle_timeout', async (ctx) => {
  if (!ctx.args.idleBase) throw new Error('needs --idle-base (a server with a short idle timeout)');
  // A client that never heartbeats: the server closes the connection after its idle timeout.
  const c = ctx.client('quiet', { base: ctx.args.idleBase, heartbeatIntervalMs: 600000 });
  const { channel } = await ctx.joinOk(c, unique('echo:idle'));
  const errors = [];
  channel.onError((p) => errors.push(p));
  const lastSent = c.sent[c.sent.length - 1].at;
  await waitUntil('the idle close', () => c.closes.length >= 1, ctx.args.idleTimeoutMs + 5000);
  const close = c.closes[0];
  const quietFor = close.at - lastSent;
  assert.ok([1000, 1002].includes(close.code), `idle close code should be 1000 (Cowboy) or 1002 (Bandit), got ${close.code}`);
  assert.ok(quietFor >= ctx.args.idleTimeoutMs * 0.9, `closed after ${quietFor} ms of silence, before the ${ctx.args.idleTimeoutMs} ms idle timeout`);
  assert.ok(quietFor <= ctx.args.idleTimeoutMs + 3000, `closed only after ${quietFor} ms`);
  assert.deepEqual(errors[0], { source: 'transport', reason: 'connection_closed' });
  ctx.note(`idle close code=${close.code} after ${quietFor} ms of silence`);
});

scenario('auth_token', async (ctx) => {
  // phoenix.js sends authToken as the subprotocols ["phoenix", "base64url.bearer.phx.<b64>"]; the server must answer
  // with the "phoenix" subprotocol, or the WebSocket client fails the handshake.
  const c = ctx.client('token', { authToken: '1234' });
  await c.opened();
  assert.equal(c.socket.conn.protocol, 'phoenix', 'the server selects the "phoenix" subprotocol');
  await ctx.joinOk(c, unique('echo:token'));
});

scenario('push_buffered_before_join', async (ctx) => {
  // Pushes made while joining wait in phoenix.js's push buffer and go out after the join reply.
  const c = ctx.client('a');
  const topic = unique('echo:buffered');
  const channel = c.socket.channel(topic, {});
  const joined = outcome(channel.join());
  const early = outcome(channel.push('echo', { early: 1 }));
  assert.equal((await joined).status, 'ok');
  const res = await early;
  assert.deepEqual({ status: res.status, response: res.response }, { status: 'ok', response: { early: 1 } });
  const events = c.sentOn(topic).map((s) => s.frame[3]);
  assert.deepEqual(events, ['phx_join', 'echo']);
});

scenario('stale_join_ref', async (ctx) => {
  // A push carrying an outdated join_ref (raced by a rejoin). Phoenix >= 1.8.3 drops it silently; 1.7 handles it and
  // replies with the channel's current join_ref.
  const c = ctx.client('a');
  const topic = unique('echo:stale');
  const { channel, joinRef: oldRef } = await ctx.joinOk(c, topic);
  const again = outcome(channel.joinPush);
  channel.joinPush.resend(3000); // a duplicate join: the server now knows only the new join_ref
  assert.equal((await again).status, 'ok');
  const newRef = channel.joinRef();
  await waitUntil('phx_close for the old join_ref', () => c.receivedOn(topic, 'phx_close').some((m) => m.join_ref === oldRef));
  const ref = c.socket.makeRef();
  c.socket.push({ topic, event: 'echo', payload: { stale: true }, ref, join_ref: oldRef });
  // A fresh push after it: its reply bounds the wait, since frames of one connection are handled in order.
  const fresh = await outcome(channel.push('echo', { fresh: true }));
  assert.equal(fresh.status, 'ok');
  const staleReply = c.replyTo(ref);
  if (ctx.args.phoenix === '1.7') {
    assert.ok(staleReply, 'Phoenix 1.7 handles a push with a stale join_ref');
    assert.deepEqual([staleReply.join_ref, staleReply.payload], [newRef, { response: { stale: true }, status: 'ok' }]);
  } else {
    assert.equal(staleReply, undefined, 'Phoenix 1.8 drops a push with a stale join_ref without a reply');
  }
});

scenario('channel_limit', async (ctx) => {
  // 100 channels per connection; the 101st join is refused (Phoenix 1.7.24 and >= 1.8.9 alike).
  const c = ctx.client('a');
  const prefix = unique('echo:many');
  const joins = [];
  for (let i = 1; i <= 100; i++) joins.push(ctx.join(c, `${prefix}-${i}`));
  const results = await Promise.all(joins);
  assert.deepEqual(results.filter((r) => r.result.status !== 'ok').map((r) => r.channel.topic), []);
  const extra = await ctx.join(c, `${prefix}-101`);
  assert.deepEqual({ status: extra.result.status, response: extra.result.response },
    { status: 'error', response: { reason: 'too many channels joined' } });
  assert.equal(c.replyTo(extra.joinRef).join_ref, extra.joinRef);
  // Leaving one makes room again (first stop phoenix.js from retrying the refused join).
  await outcome(extra.channel.leave());
  await outcome(results[0].channel.leave());
  await waitUntil('the leave to reach the server', () => c.receivedOn(results[0].channel.topic, 'phx_close').length === 1);
  await ctx.joinOk(c, `${prefix}-102`);
});

scenario('slow_reply_ordering', async (ctx) => {
  // In Phoenix each channel is its own process: a slow handler delays later pushes of the same channel only.
  // Heartbeats and other channels of the same connection are answered meanwhile.
  const c = ctx.client('a');
  const slowTopic = unique('echo:slow');
  const otherTopic = unique('echo:other');
  const slow = await ctx.joinOk(c, slowTopic);
  const other = await ctx.joinOk(c, otherTopic);
  const done = [];
  const slowPush = outcome(slow.channel.push('slow', { ms: 1000 })).then((r) => { done.push('slow'); return r; });
  const sameChannel = outcome(slow.channel.push('echo', { after: 'slow' })).then((r) => { done.push('same-channel echo'); return r; });
  const otherPush = outcome(other.channel.push('echo', { other: 1 })).then((r) => { done.push('other-channel echo'); return r; });
  const ping = new Promise((resolve) => c.socket.ping((rtt) => { done.push('heartbeat'); resolve(rtt); }));
  const [s, same, o, rtt] = await Promise.all([slowPush, sameChannel, otherPush, ping]);
  assert.deepEqual([s.status, s.response], ['ok', { ms: 1000 }]);
  assert.ok(s.ms >= 950, `the slow reply came after ${s.ms} ms`);
  assert.deepEqual([same.status, same.response], ['ok', { after: 'slow' }]);
  assert.deepEqual([o.status, o.response], ['ok', { other: 1 }]);
  assert.equal(typeof rtt, 'number');
  assert.deepEqual(done.indexOf('slow') < done.indexOf('same-channel echo'), true, `order ${done}`);
  assert.ok(done.indexOf('other-channel echo') < done.indexOf('slow'), `another channel waited behind a slow one: ${done}`);
  assert.ok(done.indexOf('heartbeat') < done.indexOf('slow'), `the heartbeat waited behind a slow handler: ${done}`);
});

scenario('binary_unicode_topic', async (ctx) => {
  // Binary header sizes count UTF-8 bytes (phoenix.js >= 1.8.7), not characters.
  const c = ctx.client('a');
  const topic = unique('echo:ünïcødé✓');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  const res = await outcome(channel.push('binary', bytes(0, 1, 2)));
  assert.equal(res.status, 'ok');
  assert.equal(hex(res.response), '000102');
  const pushed = [];
  channel.on('binary_pushed', (p) => pushed.push(p));
  const r2 = await outcome(channel.push('binary_push', bytes(7)));
  assert.equal(r2.status, 'ok');
  assert.equal(pushed.length, 1);
  assert.equal(hex(pushed[0]), '07');
  assert.equal(c.receivedOn(topic, 'binary_pushed')[0].join_ref, joinRef);
});

scenario('large_payloads', async (ctx) => {
  // Phoenix accepts frames up to 10 MB by default; phoenix.js sends a push as a single frame.
  const c = ctx.client('a');
  const { channel } = await ctx.joinOk(c, unique('echo:large'));
  const text = 'x'.repeat(1024 * 1024) + 'é✓';
  const r1 = await outcome(channel.push('echo', { text }, 10000));
  assert.equal(r1.status, 'ok');
  assert.equal(r1.response.text, text, 'a 1 MiB JSON payload comes back intact');
  const big = new Uint8Array(2 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const r2 = await outcome(channel.push('binary', big.buffer, 10000));
  assert.equal(r2.status, 'ok');
  assert.ok(r2.response instanceof ArrayBuffer);
  assert.equal(r2.response.byteLength, big.length);
  assert.ok(Buffer.from(new Uint8Array(r2.response)).equals(Buffer.from(big)), 'a 2 MiB binary payload comes back intact');
});

scenario('presence_reconnect', async (ctx) => {
  // After a server-side disconnect phoenix.js reconnects and rejoins; the server pushes a fresh presence_state for
  // the new join, and the other client sees a leave then a join.
  const topic = unique('presence:re');
  const alice = unique('alice');
  const bob = unique('bob');
  const a = ctx.client('alice', { params: { user_id: alice } });
  const b = ctx.client('bob', { params: { user_id: bob } });
  const chA = a.socket.channel(topic, {});
  const presA = new Presence(chA);
  const chB = b.socket.channel(topic, {});
  const presB = new Presence(chB);
  const events = [];
  presB.onJoin((key, current) => { if (key === alice) events.push(current ? 'join-again' : 'join'); });
  presB.onLeave((key, current) => { if (key === alice) events.push(current.metas.length ? 'leave-partial' : 'leave'); });
  assert.equal((await outcome(chA.join())).status, 'ok');
  assert.equal((await outcome(chB.join())).status, 'ok');
  const keys = (p) => p.list((k) => k).sort();
  await waitUntil('both see both', () => keys(presA).length === 2 && keys(presB).length === 2);
  const firstJoinRef = chA.joinRef();

  await disconnectOverHttp(ctx.args, alice);
  await waitUntil('bob sees alice leave and come back', () => events.includes('leave') && events.lastIndexOf('join') > events.indexOf('leave'));
  await waitUntil('alice rejoined', () => chA.state === 'joined' && chA.joinRef() !== firstJoinRef);
  // The state push follows the join reply (the join reply always comes first).
  await waitUntil('a presence_state for the new join', () => a.receivedOn(topic, 'presence_state').length >= 2);
  const states = a.receivedOn(topic, 'presence_state');
  assert.equal(states.length, 2, 'one presence_state per join');
  assert.equal(states[1].join_ref, chA.joinRef());
  await waitUntil('alice sees both again', () => keys(presA).length === 2);
  assert.deepEqual(keys(presA), [alice, bob].sort());
  assert.equal(presA.state[alice].metas.length, 1, 'the old meta is gone, only the new one remains');
  assert.deepEqual(keys(presB), [alice, bob].sort());
  assert.equal(presB.state[alice].metas.length, 1);
});

scenario('broadcast_after_join_reply', async (ctx) => {
  // Once a client has its join reply it is subscribed: in Phoenix the channel subscribes to the topic before the
  // reply is sent, so a broadcast made after the reply reaches it. Repeated, because a server that replies first
  // and subscribes second loses such broadcasts only now and then.
  const a = ctx.client('a');
  const b = ctx.client('b');
  const rounds = 40;
  for (let i = 1; i <= rounds; i++) {
    const topic = unique('echo:late-sub');
    const ja = await ctx.joinOk(a, topic);
    const got = [];
    const chB = b.socket.channel(topic, {});
    chB.on('broadcast', (p) => got.push(p));
    const sent = new Promise((resolve) => {
      chB.join().receive('ok', () => resolve(outcome(ja.channel.push('broadcast', { round: i }))));
    });
    assert.equal((await sent).status, 'ok');
    await waitUntil(`b receives the broadcast made right after its join reply (round ${i} of ${rounds})`,
      () => got.length === 1, 3000);
    assert.deepEqual(got, [{ round: i }]);
    await Promise.all([outcome(ja.channel.leave()), outcome(chB.leave())]);
  }
});

scenario('v1_serializer', async (ctx) => {
  // phoenix.js with vsn=1.0.0 and a V1 (JSON object) codec, as older clients speak: server frames are objects with
  // exactly event, payload, ref and topic, and never a join_ref.
  const encode = (msg, cb) => cb(JSON.stringify({ topic: msg.topic, event: msg.event, payload: msg.payload, ref: msg.ref, join_ref: msg.join_ref }));
  const decode = (raw, cb) => {
    const m = JSON.parse(raw);
    cb({ join_ref: m.join_ref === undefined ? null : m.join_ref, ref: m.ref, topic: m.topic, event: m.event, payload: m.payload });
  };
  const c = ctx.client('v1', { vsn: '1.0.0', encode, decode });
  await c.opened();
  assert.match(c.socket.endPointURL(), /vsn=1\.0\.0$/);
  const topic = unique('echo:v1');
  const { channel, result, joinRef } = await ctx.join(c, topic, { v: 1 });
  assert.deepEqual({ status: result.status, response: result.response }, { status: 'ok', response: { joined: topic, params: { v: 1 } } });
  const echo = await outcome(channel.push('echo', { hi: 1 }));
  assert.deepEqual(echo.response, { hi: 1 });
  const pushed = [];
  channel.on('pushed', (p) => pushed.push(p));
  assert.equal((await outcome(channel.push('push_back', { p: 1 }))).status, 'ok');
  assert.deepEqual(pushed, [{ p: 1 }]);
  assert.equal(c.receivedOn(topic, 'pushed')[0].ref, null);
  const errors = [];
  channel.onError((p) => errors.push(p));
  channel.push('crash', {});
  await waitUntil('phx_error', () => errors.length === 1);
  const err = c.receivedOn(topic, 'phx_error')[0];
  assert.equal(err.ref, joinRef, 'V1 phx_error carries the join_ref as its ref');
  assert.deepEqual(err.payload, ctx.args.phoenix === '1.7' ? {} : { reason: 'channel_crash' });
  await waitUntil('automatic rejoin', () => channel.state === 'joined' && channel.joinRef() !== joinRef);
  for (const f of c.rawIn) {
    assert.equal(f.binary, false);
    assert.deepEqual(Object.keys(JSON.parse(f.text)), ['event', 'payload', 'ref', 'topic'], `a V1 server frame: ${f.text}`);
  }
});

scenario('ordering_under_load', async (ctx) => {
  // Phoenix keeps order per channel and per connection: 200 pushes fired without waiting are replied to in order,
  // their pushes to the sender and their broadcasts to another client arrive in order too.
  const topic = unique('echo:order');
  const a = ctx.client('a');
  const b = ctx.client('b');
  const ja = await ctx.joinOk(a, topic);
  const jb = await ctx.joinOk(b, topic);
  await ctx.roundTrip(jb.channel);
  const n = 200;
  const seenB = [];
  const pushedA = [];
  jb.channel.on('broadcast', (p) => seenB.push(p.i));
  ja.channel.on('pushed', (p) => pushedA.push(p.i));
  const replies = [];
  const all = [];
  for (let i = 0; i < n; i++) {
    const event = i % 2 === 0 ? 'broadcast' : 'push_back';
    all.push(outcome(ja.channel.push(event, { i }, 20000)).then((r) => { replies.push(i); return r; }));
  }
  const results = await Promise.all(all);
  assert.deepEqual(results.filter((r) => r.status !== 'ok').length, 0);
  assert.deepEqual(replies, [...Array(n).keys()], 'replies in push order');
  await waitUntil('b receives every broadcast', () => seenB.length === n / 2);
  assert.deepEqual(seenB, [...Array(n).keys()].filter((i) => i % 2 === 0), 'broadcasts in order');
  assert.deepEqual(pushedA, [...Array(n).keys()].filter((i) => i % 2 === 1), 'pushes in order');
});

scenario('presence_same_key_two_connections', async (ctx) => {
  // One user on two connections: one key with two metas; when one connection goes, the key stays with one meta.
  const topic = unique('presence:multi');
  const user = unique('carol');
  const watcher = ctx.client('watcher', { params: { user_id: unique('watcher') } });
  const c1 = ctx.client('carol-1', { params: { user_id: user } });
  const c2 = ctx.client('carol-2', { params: { user_id: user } });
  const chW = watcher.socket.channel(topic, {});
  const presW = new Presence(chW);
  const leaves = [];
  presW.onLeave((key, current, left) => leaves.push([key, current.metas.length, left.metas.length]));
  assert.equal((await outcome(chW.join())).status, 'ok');
  const j1 = await ctx.joinOk(c1, topic);
  const j2 = await ctx.joinOk(c2, topic);
  assert.deepEqual(j1.result.response, { joined: topic, key: user });
  assert.deepEqual(j2.result.response, { joined: topic, key: user });
  await waitUntil('two metas for the key', () => presW.state[user] && presW.state[user].metas.length === 2);
  const refs = presW.state[user].metas.map((m) => m.phx_ref);
  assert.notEqual(refs[0], refs[1], 'each meta has its own phx_ref');
  await new Promise((resolve) => c1.socket.disconnect(resolve));
  await waitUntil('one meta left', () => presW.state[user] && presW.state[user].metas.length === 1);
  assert.deepEqual(leaves.filter((l) => l[0] === user), [[user, 1, 1]]);
  await new Promise((resolve) => c2.socket.disconnect(resolve));
  await waitUntil('the key gone', () => !presW.state[user]);
});

scenario('non_object_payloads', async (ctx) => {
  // Client payloads and reply responses may be any JSON value; push and broadcast payloads must be objects (Phoenix
  // raises otherwise, so a channel that broadcasts a list crashes: phx_error, no reply, automatic rejoin).
  const c = ctx.client('a');
  const topic = unique('echo:values');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  for (const value of [[1, 'two', null], 'text', 42, true]) {
    const r = await outcome(channel.push('echo', value));
    assert.deepEqual({ status: r.status, response: r.response }, { status: 'ok', response: value }, `echo of ${JSON.stringify(value)}`);
  }
  const errors = [];
  channel.onError((p) => errors.push(p));
  channel.push('broadcast', [1, 2]);
  await waitUntil('phx_error after broadcasting a list', () => errors.length === 1);
  assert.deepEqual(errors[0], ctx.args.phoenix === '1.7' ? {} : { reason: 'channel_crash' });
  assert.equal(c.receivedOn(topic, 'broadcast').length, 0, 'no broadcast of a list reaches the wire');
  assert.equal(c.replyTo(c.sentOn(topic, 'broadcast')[0].frame[1]), undefined);
  await waitUntil('automatic rejoin', () => channel.state === 'joined' && channel.joinRef() !== joinRef);
});

scenario('client_disconnect_connect', async (ctx) => {
  // socket.disconnect() then connect(): the channels rejoin on the new connection; the server forgot the old one.
  const topic = unique('presence:cdc');
  const user = unique('dave');
  const c = ctx.client('dave', { params: { user_id: user } });
  const w = ctx.client('watcher', { params: { user_id: unique('w') } });
  const chW = w.socket.channel(topic, {});
  const presW = new Presence(chW);
  assert.equal((await outcome(chW.join())).status, 'ok');
  const { channel, joinRef } = await ctx.joinOk(c, topic);
  await waitUntil('the watcher sees dave', () => presW.state[user]);
  await new Promise((resolve) => c.socket.disconnect(resolve));
  await waitUntil('the watcher sees dave leave', () => !presW.state[user]);
  c.socket.connect();
  await waitUntil('rejoined on the new connection', () => c.opens === 2 && channel.state === 'joined' && channel.joinRef() !== joinRef);
  await waitUntil('the watcher sees dave again', () => presW.state[user] && presW.state[user].metas.length === 1);
  const r = await outcome(channel.push('list', {}));
  assert.equal(r.status, 'ok');
  assert.equal(r.response[user].metas.length, 1, 'only the new connection is tracked');
});

// ---------------------------------------------------------------------------------------------------------------
// Runner

async function runOne(args, { name, fn }) {
  const ctx = new Context(args);
  const started = Date.now();
  let error = null;
  let timer;
  try {
    await Promise.race([
      fn(ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`scenario timed out after ${args.scenarioTimeoutMs} ms`)), args.scenarioTimeoutMs);
      }),
    ]);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
  }
  await ctx.cleanup();
  const result = { name, phoenix: args.phoenix, status: error ? 'failed' : 'passed', ms: Date.now() - started };
  if (ctx.notes.length) result.notes = ctx.notes;
  if (error) {
    result.error = error.stack || String(error);
    // Bounded: the first and last frames tell the story; a retry loop must not flood the report.
    result.log = ctx.lines.length <= 300 ? ctx.lines
      : [...ctx.lines.slice(0, 100), `... ${ctx.lines.length - 300} lines left out ...`, ...ctx.lines.slice(-200)];
  }
  return result;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`usage error: ${e.message}`);
    process.exit(2);
  }
  if (args.list) {
    for (const s of scenarios) console.log(s.name);
    return;
  }
  const selected = args.only ? scenarios.filter((s) => args.only.includes(s.name)) : scenarios;
  const unknown = (args.only || []).filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}`);
    process.exit(2);
  }
  let passed = 0;
  let failed = 0;
  for (const s of selected) {
    const result = await runOne(args, s);
    if (result.status === 'passed') passed++; else failed++;
    console.log(`SCENARIO ${JSON.stringify(result)}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

process.on('unhandledRejection', (e) => {
  console.error(`unhandled rejection: ${e && e.stack || e}`);
});

main().then(() => {
  // phoenix.js timers (reconnect, rejoin) may outlive disconnects; do not let them keep the process alive.
  setTimeout(() => process.exit(process.exitCode || 0), 100).unref();
});
