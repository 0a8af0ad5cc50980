// phoenix.js peer of the Slipstream load harness (dev.slipstream.benchmarks.load.LoadHarness).
// usage: node peer.js <socket-url> <throughput|latency> <count> <window-or-rate-per-second> [TIMELINE, latency only]
// Prints MEASURING and MEASURED around the measured phase (the harness samples the server's CPU time there), then
// one JSON line: {"client":"phoenix.js","mode":..., "replies":n, "seconds":s, "cpuNanos":n, "latenciesMicros":[...]}
// TIMELINE: a file to write each measured push's send time and latency to, in nanoseconds, one push per line, as
// ClientProbe's sixth argument does; the send time is process.hrtime (CLOCK_MONOTONIC, like System.nanoTime on Linux)
// so that a scheduler trace can be laid over the pushes (benchmarks/sched/).
'use strict';
const fs = require('fs');
const { Socket } = require('phoenix');
const WebSocket = require('ws');

const [url, mode, countArg, paramArg, timelineFile] = process.argv.slice(2);
const count = parseInt(countArg, 10);
const param = parseInt(paramArg, 10);
const payload = { body: 'x'.repeat(88) }; // {"body":"x...x"}: 100 bytes of JSON, as the JVM clients send

const socket = new Socket(url, { transport: WebSocket, heartbeatIntervalMs: 30000, timeout: 10000 });
socket.onError(() => {});
socket.connect();
const channel = socket.channel('echo:bench', {});

function report(replies, startNs, cpu0, latencies) {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write('MEASURED\n'); // writes to a pipe are synchronous on Linux: the harness sees it now
  process.stdout.write(JSON.stringify({
    client: 'phoenix.js', mode, replies, seconds,
    cpuNanos: (cpu.user + cpu.system) * 1000,
    latenciesMicros: latencies,
  }) + '\n');
  socket.disconnect(() => process.exit(0));
  setTimeout(() => process.exit(0), 500);
}

// Warm-up, the same as the JVM probes' (ClientProbe): half as many pushes pipelined (at least 2,000), then, for
// latency, 2,000 to 5,000 paced at the rate, none of them measured. Until session 12 of issue 15 phoenix.js had none.
const warmUp = Math.max(2000, Math.floor(count / 2));

function pipelined(n, window, onDone) {
  let sent = 0, replied = 0;
  const one = () => {
    sent++;
    channel.push('echo', payload, 30000).receive('ok', () => {
      replied++;
      if (replied === n) onDone();
      else if (sent < n) one();
    }).receive('timeout', () => { console.error('push timeout'); process.exit(3); });
  };
  for (let i = 0; i < Math.min(window, n); i++) one();
}

function throughput() {
  pipelined(warmUp, 64, () => {
    process.stdout.write('MEASURING\n');
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    pipelined(count, param, () => report(count, start, cpu0, []));
  });
}

function latency() {
  pipelined(warmUp, 64, () => {
    paced(Math.min(5000, warmUp), () => {
      process.stdout.write('MEASURING\n');
      const start = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      paced(count, (latencies, timeline) => {
        if (timelineFile) fs.writeFileSync(timelineFile, timeline.join('\n') + '\n');
        report(count, start, cpu0, latencies);
      });
    });
  });
}

function paced(n, onDone) {
  // Pacing: between pushes phoenix.js sleeps, as an application pacing its pushes does and as the JVM probes do
  // (they park until the next push is due). While no reply is outstanding nothing can arrive, so it sleeps exactly
  // until the next push is due (Atomics.wait: a timed futex wait, like the JVM's park); while one is outstanding it
  // sleeps in the event loop, to be woken by that reply (the reply's callback then does the exact sleep) or by a
  // timer, whose whole milliseconds may send a push late. Until issue 15 this polled with setImmediate: Node never
  // slept, it read each reply on a busy core without being woken (1 ms of CPU per round trip at 1,000/s).
  const latencies = [];
  const timeline = []; // "sendNanos latencyNanos" per push, in the order the replies came
  const intervalNs = 1e9 / param;
  const start = process.hrtime.bigint();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let sent = 0, outstanding = 0, timer = null;
  const nextDueMs = () => Number(start + BigInt(Math.round(sent * intervalNs)) - process.hrtime.bigint()) / 1e6;
  const tick = () => {
    timer = null;
    const due = Math.min(n, Math.floor(Number(process.hrtime.bigint() - start) / intervalNs) + 1);
    while (sent < due) {
      sent++;
      outstanding++;
      const t0 = process.hrtime.bigint();
      channel.push('echo', payload, 30000).receive('ok', () => {
        const latencyNs = process.hrtime.bigint() - t0;
        latencies.push(Number(latencyNs) / 1000);
        if (timelineFile) timeline.push(t0 + ' ' + latencyNs); // only when asked: the harness's runs stay as they were
        outstanding--;
        if (latencies.length === n) onDone(latencies, timeline);
        else if (outstanding === 0) sleepUntilDue();
      });
    }
    if (sent < n && outstanding > 0) timer = setTimeout(tick, Math.max(1, Math.ceil(nextDueMs())));
    else if (sent < n) setImmediate(sleepUntilDue); // woke a hair before the due time: sleep the rest
  };
  const sleepUntilDue = () => {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (sent >= n) return;
    const ms = nextDueMs();
    if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
    tick();
  };
  tick();
}

channel.join().receive('ok', () => {
  if (mode === 'throughput') throughput(); else latency();
}).receive('error', (e) => { console.error('join refused ' + JSON.stringify(e)); process.exit(2); });
setTimeout(() => { console.error('peer.js: timed out'); process.exit(4); }, 170000).unref();
