#!/usr/bin/env python3
# Summarises `jfr print --events jdk.ExecutionSample|jdk.NativeMethodSample` output: sample counts per thread, hottest
# frames by self time and inclusive. Usage: archive-jfr-top.py PRINTED [THREAD_REGEX]
import sys, re, collections, signal
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
# parse `jfr print --events jdk.ExecutionSample|jdk.NativeMethodSample` output: top frame (self) and any-frame (inclusive) counts
text = open(sys.argv[1]).read()
events = re.split(r"jdk\.(?:ExecutionSample|NativeMethodSample)", text)
selfc = collections.Counter(); incl = collections.Counter(); threads = collections.Counter()
n = 0
for ev in events[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', ev)
    th = m.group(1) if m else "?"
    frames = re.findall(r'^\s+([\w$.<>]+\.[\w$<>]+)\(', ev, re.M)
    if not frames: continue
    if len(sys.argv) > 2 and not re.search(sys.argv[2], th): continue
    n += 1
    threads[re.sub(r'\d+', 'N', th)] += 1
    selfc[frames[0]] += 1
    for f in set(frames):
        incl[f] += 1
print("samples", n)
print("threads", threads.most_common(8))
print("--- self"); [print("%5d %s" % (c, f)) for f, c in selfc.most_common(25)]
print("--- inclusive"); [print("%5d %s" % (c, f)) for f, c in incl.most_common(45)]
