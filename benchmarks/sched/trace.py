#!/usr/bin/env python3
"""Reads a Linux scheduler trace taken beside a paced latency run and says where the time went.

    perf sched record -k CLOCK_MONOTONIC -o sched.data -- sleep 10        # while the probe's measured phase runs
    perf script -F comm,pid,tid,cpu,time,event,trace -i sched.data > sched.txt

    python3 trace.py hops sched.txt --server-pid PID       # every wake-up: who woke whom, where it ran, how long it waited
    python3 trace.py runs sched.txt --server-pid PID       # uninterrupted runs per thread, the long ones counted
    python3 trace.py slow sched.txt --server-pid PID --timeline pushes.txt [--over 1000]
                                                           # each push slower than --over us, by what took most of it
    python3 trace.py stops sched.txt --server-pid PID      # when a vCPU itself stopped running (needs timer samples)

With a timer sampling every vCPU (`-e cpu-clock/period=100000/` added to a `perf record` of the same scheduler events,
see README.md), the trace also says when a vCPU was not running at all: the guest's timer fires on a running vCPU,
idle or not, so a stretch with no sample on it is time the host did not run it. `stops` lists those stretches, and
`slow` puts a push down to one when it took more than half of the push on a vCPU a thread of client or server was
running on or waiting for, and marks a long run of one thread whose vCPU was away for most of it.

The timeline is what `ClientProbe ... latency COUNT RATE FILE` writes: per push its System.nanoTime() at sending and
its latency, in nanoseconds. On Linux nanoTime is CLOCK_MONOTONIC, the clock `-k CLOCK_MONOTONIC` stamps events with.
Threads are named by their name with digits, dashes and # cut off the end (so a pool's threads count as one); those of
the server's process (--server-pid) get the prefix "server:", those of the client's "client:"; the rest are threads of
neither (the kernel's, other programs'). Standard library only. See README.md beside it.
"""
import argparse
import bisect
import collections
import re

EVENT = re.compile(r'^\s*(\S.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$')
WAKING = re.compile(r'comm=(.*) pid=(\d+) prio=')
SWITCH = re.compile(r'prev_comm=(.*) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+) ')


class Trace:
    """Every wake-up (sched_waking to the wakee's next switch-in) and every uninterrupted run on a CPU."""

    def __init__(self, path, server_pid, client_pid=None):
        self.server_pid = server_pid
        self.pid_of = {0: 0}
        self.wakeups = []  # (woken at, ran at, wakee, waker, waker's cpu, cpu it ran on, cpu was idle, preempted waker)
        self.runs = []  # (start, end, cpu, thread, state it left in)
        self.samples = collections.defaultdict(list)  # cpu -> times of the timer's samples, when recorded
        self.first = self.last = None
        woken = {}
        running = {}  # cpu -> (since, tid, comm)
        with open(path) as lines:
            for line in lines:
                m = EVENT.match(line)
                if not m:
                    continue
                comm, pid, tid, cpu, t, event, rest = m.groups()
                pid, tid, cpu, t = int(pid), int(tid), int(cpu), float(t)
                self.pid_of[tid] = pid
                self.first = t if self.first is None else self.first
                self.last = t
                if event.startswith('cpu-clock'):
                    self.samples[cpu].append(t)
                elif event == 'sched:sched_waking':
                    w = WAKING.match(rest)
                    woken[int(w.group(2))] = (t, tid, comm, cpu)
                elif event == 'sched:sched_switch':
                    w = SWITCH.match(rest)
                    prev, state, nxt, next_comm = int(w.group(2)), w.group(3), int(w.group(5)), w.group(4)
                    if cpu in running:
                        since, rtid, rcomm = running[cpu]
                        self.runs.append((since, t, cpu, (rtid, rcomm), state[:1]))
                    running[cpu] = (t, nxt, next_comm)
                    if nxt in woken:
                        at, waker, waker_comm, waker_cpu = woken.pop(nxt)
                        preempted = waker != 0 and cpu == waker_cpu and prev == waker and state.startswith('R')
                        self.wakeups.append((at, t, (nxt, next_comm), (waker, waker_comm), waker_cpu, cpu, prev == 0,
                                             preempted))
        # names last: a thread's process is known once any event of it was seen
        self.client_pid = client_pid or self.busiest_waker()
        self.runs = [(s, e, cpu, self.name(*thread), state) for s, e, cpu, thread, state in self.runs]
        self.wakeups = [(at, t, self.name(*wakee), self.name(*waker), wc, cpu, idle, pre)
                        for at, t, wakee, waker, wc, cpu, idle, pre in self.wakeups]
        self.wakeups.sort()
        self.runs.sort()
        self.wakeup_starts = [w[0] for w in self.wakeups]
        self.run_starts = [r[0] for r in self.runs]

    def stops(self, longer_than):
        """Stretches longer than `longer_than` seconds with no timer sample on a vCPU: (start, end, cpu), in order."""
        out = []
        for cpu, times in self.samples.items():
            out += [(a, b, cpu) for a, b in zip(times, times[1:]) if b - a > longer_than]
        return sorted(out)

    def sampled(self, cpu, start, end):
        """How many timer samples `cpu` has in [start, end)."""
        times = self.samples.get(cpu, [])
        return bisect.bisect_left(times, end) - bisect.bisect_left(times, start)

    def running_at(self, cpu, t):
        """The thread running on `cpu` at `t`, by the scheduler's switches ('idle' for none, None if not traced)."""
        i = bisect.bisect_right(self.run_starts, t) - 1
        while i >= 0 and self.runs[i][0] > t - 0.05:
            s, e, c, name, _ = self.runs[i]
            if c == cpu and s <= t < e:
                return name
            i -= 1
        return None

    def waiting_at(self, cpu, t):
        """Threads woken earlier than `t` that were still waiting to run on `cpu` at `t`."""
        i = bisect.bisect_left(self.wakeup_starts, t - 0.05)
        out = []
        while i < len(self.wakeups) and self.wakeups[i][0] <= t:
            at, ran, wakee, *_, c, idle, pre = self.wakeups[i]
            if c == cpu and ran > t:
                out.append(wakee)
            i += 1
        return out

    def busiest_waker(self):
        """The process (other than the server and the kernel's) that woke the server's threads most often."""
        wakers = collections.Counter(self.pid_of.get(waker[0]) for _, _, wakee, waker, *_ in self.wakeups
                                     if self.pid_of.get(wakee[0]) == self.server_pid)
        for pid in (None, 0, self.server_pid):
            wakers.pop(pid, None)
        return wakers.most_common(1)[0][0] if wakers else None

    def name(self, tid, comm):
        if tid == 0:
            return 'idle'
        base = comm.rstrip('0123456789-#.') or comm
        pid = self.pid_of.get(tid)
        return 'server:' + base if pid == self.server_pid else 'client:' + base if pid == self.client_pid else base

    def wakeups_in(self, start, end):
        i = bisect.bisect_left(self.wakeup_starts, start)
        while i < len(self.wakeups) and self.wakeups[i][0] < end:
            yield self.wakeups[i]
            i += 1

    def spans_in(self, start, end):
        """The runs overlapping [start, end), cut to it: (start, end, cpu, thread)."""
        i = max(0, bisect.bisect_left(self.run_starts, start - 0.05))
        while i < len(self.runs) and self.runs[i][0] < end:
            s, e, cpu, name, state = self.runs[i]
            if min(e, end) > max(s, start):
                yield max(s, start), min(e, end), cpu, name
            i += 1


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, max(0, int(len(sorted_values) * p) - 1))]


def hops(trace, top):
    """Wake-ups grouped by waker, wakee, where the wakee ran (the waker's vCPU or the other) and what it found there."""
    groups = collections.defaultdict(list)
    preempting = collections.Counter()
    for at, ran, wakee, waker, waker_cpu, cpu, idle, preempted in trace.wakeups:
        where = ('on the waker\'s vCPU' if cpu == waker_cpu else 'on the other vCPU') + (', idle' if idle else '')
        groups[(waker, wakee, where)].append((ran - at) * 1e6)
        if preempted:
            preempting[(waker, wakee)] += 1
    print(f'{"count":>7}  {"waker":24} {"wakee":24} {"where the wakee ran":27} {"wait p50":>8} {"p99":>7} {"max":>7} {">300us":>6}')
    for (waker, wakee, where), waits in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:top]:
        waits.sort()
        print(f'{len(waits):7d}  {waker[:24]:24} {wakee[:24]:24} {where:27} {pct(waits, .5):8.0f} {pct(waits, .99):7.0f}'
              f' {waits[-1]:7.0f} {sum(1 for w in waits if w > 300):6d}')
    print('\nwake-ups in which the wakee preempted its waker at once (the waker still runnable):')
    for (waker, wakee), n in preempting.most_common(top):
        total = sum(len(v) for (w, e, _), v in groups.items() if w == waker and e == wakee)
        print(f'{n:7d} of {total:6d} ({100 * n / total:4.1f}%)  {waker} -> {wakee}')


def runs(trace, top):
    """Uninterrupted runs per thread: how much each ran, and how often for long at a stretch."""
    per = collections.defaultdict(list)
    for s, e, cpu, name, state in trace.runs:
        if name != 'idle':
            per[name].append(((e - s) * 1e6, state))
    print(f'{"thread":24} {"runs":>7} {"total ms":>9} {">300us":>7} {">1ms":>5} {"of those preempted":>18} {"max us":>8}')
    for name, rs in sorted(per.items(), key=lambda kv: -sum(x for x, _ in kv[1]))[:top]:
        long_runs = [s for x, s in rs if x > 1000]
        print(f'{name[:24]:24} {len(rs):7d} {sum(x for x, _ in rs) / 1000:9.1f} {sum(1 for x, _ in rs if x > 300):7d}'
              f' {len(long_runs):5d} {sum(1 for s in long_runs if s == "R"):18d} {max(x for x, _ in rs):8.0f}')


def ours(trace, cpu, t):
    """The threads of client or server running on `cpu` at `t` or waiting to run there."""
    names = [trace.running_at(cpu, t) or ''] + trace.waiting_at(cpu, t)
    return [n for n in names if n.startswith(('server:', 'client:'))]


def stops(trace, longer_than, top):
    """Stretches with no timer sample on a vCPU: the host did not run it."""
    if not trace.samples:
        raise SystemExit('no cpu-clock samples in the trace: record with -e cpu-clock/period=100000/ (README.md)')
    span = trace.last - trace.first
    found = trace.stops(longer_than)
    print(f'timer samples: {sum(len(v) for v in trace.samples.values())} on {len(trace.samples)} vCPUs in {span:.1f} s, '
          f'median interval {sample_interval(trace) * 1e6:.0f} us')
    print(f'stretches over {longer_than * 1e6:.0f} us with no sample on a vCPU: {len(found)}, '
          f'{sum(b - a for a, b, _ in found) * 1e3:.1f} ms in all')
    for lo, hi in ((longer_than, 5e-4), (5e-4, 1e-3), (1e-3, 2e-3), (2e-3, 5e-3), (5e-3, 1e9)):
        n = [b - a for a, b, _ in found if lo < b - a <= hi]
        label = f'{lo * 1e6:.0f} to {hi * 1e6:.0f} us' if hi < 1 else f'over {lo * 1e6:.0f} us'
        print(f'  {label:>18}: {len(n):5d}  ({sum(n) * 1e3:.1f} ms)')
    hit = [(a, b, cpu) for a, b, cpu in found if ours(trace, cpu, a)]
    print(f'  of them with a thread of client or server running on that vCPU or waiting for it: {len(hit)}'
          f' ({sum(b - a for a, b, _ in hit) * 1e3:.1f} ms)')
    print('the longest:')
    for a, b, cpu in sorted(found, key=lambda g: g[0] - g[1])[:top]:
        print(f'  {(b - a) * 1e6:7.0f} us on vCPU {cpu} from {a:.4f}: {", ".join(ours(trace, cpu, a)) or trace.running_at(cpu, a)}')


def slow(trace, timeline, over):
    """Each push slower than `over` us, by what took more than half of it (see `cause`)."""
    pushes = []
    with open(timeline) as lines:
        for line in lines:
            sent, latency = map(int, line.split())
            s, l = sent / 1e9, latency / 1e9
            if trace.first + 0.01 < s and s + l < trace.last - 0.01:
                pushes.append((s, l))
    slow_pushes = [(s, l) for s, l in pushes if l * 1e6 > over]
    kinds = collections.Counter()
    example = {}
    interval = sample_interval(trace)
    stopped = [(a, b, cpu) for a, b, cpu in trace.stops(3 * interval) if ours(trace, cpu, a)]
    for s, l in slow_pushes:
        kind = cause(trace, s, s + l, [(a, b) for a, b, _ in stopped if a < s + l and b > s], interval)
        kinds[kind] += 1
        example.setdefault(kind, (s, l))
    print(f'pushes inside the trace: {len(pushes)}; slower than {over:.0f} us: {len(slow_pushes)}')
    for kind, n in kinds.most_common():
        s, l = example[kind]
        print(f'{n:6d}  {kind}   (e.g. {l * 1e6:.0f} us, sent at {s:.4f})')


def cause(trace, s, e, stopped, interval):
    """What took more than half of the push from `s` to `e`: a vCPU's stop (`stopped`: those that held a thread of
    client or server), a thread of neither process, one wait for a CPU, one run; else all of those together, or nothing."""
    half = (e - s) / 2
    if max((min(b, e) - max(a, s) for a, b in stopped), default=0) > half:
        return 'a vCPU stopped (no timer sample) while a thread of client or server ran on it or waited for it'
    outside = collections.Counter()
    for a, b, cpu, name in trace.spans_in(s, e):
        if name != 'idle' and not name.startswith(('server:', 'client:')):
            outside[name] = max(outside[name], b - a)
    ran, thread = max(((v, k) for k, v in outside.items()), default=(0, None))
    if ran > half:
        return f'a thread of neither process ran: {thread}'
    waited, wakeup = max(((min(w[1], e) - w[0], w) for w in trace.wakeups_in(s, e)), default=(0, None))
    if waited > half:
        at, r, wakee, waker, waker_cpu, cpu, idle, _ = wakeup
        where = 'the waker\'s vCPU' if cpu == waker_cpu else 'the other vCPU' + (', idle until then' if idle else ', busy')
        return f'{wakee} woken by {waker} waited for a CPU ({where})'
    length, a, b, cpu, name = max(((b - a, a, b, cpu, name) for a, b, cpu, name in trace.spans_in(s, e)
                                   if name != 'idle'), default=(0, 0, 0, 0, None))
    if length > half:
        away = trace.samples and trace.sampled(cpu, a, b) < (b - a) / interval / 2
        return f'one run of {name} without a break' + (
            ', its vCPU stopped for most of it (timer samples in under half of it)' if away else '')
    beside = [(a, b) for a, b, _, name in trace.spans_in(s, e) if name != 'idle' and not part_of_round_trip(name)]
    waits = [(w[0], w[1]) for w in trace.wakeups_in(s, e) if part_of_round_trip(w[2])]
    if covered(s, e, stopped + beside + waits) > half:
        return 'several of the above together (they cover over half of it)'
    return 'no wait, run, stop or outside thread, alone or together, took half of it'


def part_of_round_trip(name):
    """A thread of client or server other than their JITs and collectors (those run beside the round trip)."""
    return name.startswith(('server:', 'client:')) and not re.search(r'Compiler|GC|G1 ', name)


def covered(start, end, spans):
    """How much of [start, end) the union of `spans` covers."""
    total, reach = 0.0, start
    for a, b in sorted(spans):
        a, b = max(a, reach), min(b, end)
        if b > a:
            total += b - a
            reach = b
    return total


def sample_interval(trace):
    """The timer's sampling interval (the median between samples on a vCPU); effectively none without samples."""
    gaps = sorted(b - a for times in trace.samples.values() for a, b in zip(times, times[1:]))
    return pct(gaps, .5) if gaps else 1e9


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('what', choices=['hops', 'runs', 'slow', 'stops'])
    p.add_argument('trace', help='perf script -F comm,pid,tid,cpu,time,event,trace output')
    p.add_argument('--server-pid', type=int, required=True, help='the server\'s process: its threads are "server:..."')
    p.add_argument('--timeline', help='slow: the probe\'s timeline file')
    p.add_argument('--over', type=float, default=1000, help='slow: the latency in us above which a push is slow')
    p.add_argument('--client-pid', type=int, help='the client\'s process: its threads are "client:..." (default: '
                                                   'the process that woke the server\'s threads most often)')
    p.add_argument('--longer-than', type=float, default=300, help='stops: the shortest stretch to count, in us')
    p.add_argument('--top', type=int, default=16)
    a = p.parse_args()
    trace = Trace(a.trace, a.server_pid, a.client_pid)
    if a.what == 'hops':
        hops(trace, a.top)
    elif a.what == 'runs':
        runs(trace, a.top)
    elif a.what == 'stops':
        stops(trace, a.longer_than / 1e6, a.top)
    else:
        if not a.timeline:
            p.error('slow needs --timeline')
        slow(trace, a.timeline, a.over)


if __name__ == '__main__':
    main()
