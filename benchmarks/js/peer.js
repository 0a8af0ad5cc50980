// phoenix.js peer of the Slipstream load harness (dev.slipstream.benchmarks.load.LoadHarness).
// usage: node peer.js <socket-url> <throughput|latency> <count> <window-or-rate-per-second>
// Prints one JSON line: {"client":"phoenix.js","mode":..., "replies":n, "seconds":s, "cpuNanos":n, "latenciesMicros":[...]}
'use strict';
const { Socket } = require('phoenix');
const WebSocket = require('ws');

const [url, mode, countArg, paramArg] = process.argv.slice(2);
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
  process.stdout.write(JSON.stringify({
    client: 'phoenix.js', mode, replies, seconds,
    cpuNanos: (cpu.user + cpu.system) * 1000,
    latenciesMicros: latencies,
  }) + '\n');
  socket.disconnect(() => process.exit(0));
  setTimeout(() => process.exit(0), 500);
}

function throughput() {
  let sent = 0, replied = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const one = () => {
    sent++;
    channel.push('echo', payload, 30000).receive('ok', () => {
      replied++;
      if (replied === count) report(replied, start, cpu0, []);
      else if (sent < count) one();
    }).receive('timeout', () => { console.error('push timeout'); process.exit(3); });
  };
  for (let i = 0; i < Math.min(param, count); i++) one();
}

function latency() {
  const latencies = [];
  const intervalNs = 1e9 / param;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let sent = 0;
  const tick = () => {
    const now = process.hrtime.bigint();
    const due = Math.min(count, Math.floor(Number(now - start) / intervalNs) + 1);
    while (sent < due) {
      sent++;
      const t0 = process.hrtime.bigint();
      channel.push('echo', payload, 30000).receive('ok', () => {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
        if (latencies.length === count) report(count, start, cpu0, latencies);
      });
    }
    if (sent < count) setImmediate(tick);
  };
  tick();
}

channel.join().receive('ok', () => {
  if (mode === 'throughput') throughput(); else latency();
}).receive('error', (e) => { console.error('join refused ' + JSON.stringify(e)); process.exit(2); });
setTimeout(() => { console.error('peer.js: timed out'); process.exit(4); }, 170000).unref();
