#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -z probes, the -w connect timeout and the -i idle timeout.

load helpers/common

@test "-z on an open port exits 0 and reports it in nc's words" {
	bg srv peer.py --listen --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -z -n 127.0.0.1 "$port"
	assert_success
	assert_output ""
	assert_equal "$stderr" "Connection to 127.0.0.1 $port port [tcp/*] succeeded!"
}

@test "-z on a closed port exits 1" {
	bg holder peer.py --bind-only --port-file "$T/port"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -z 127.0.0.1 "$port"
	assert_failure 1
	assert_equal "$stderr" ""
}

@test "-z -v over a range reports every port and exits 0 when one is open" {
	# Three neighbouring ports: closed, open, closed.
	bg srv peer.py --listen --port-file "$T/port"
	port=$(port_of "$T/port")
	lo=$((port - 1)) hi=$((port + 1))
	run --separate-stderr timeout 20 "$SOCKLINE" -z -v -n 127.0.0.1 "$lo-$hi"
	assert_success
	[[ "$stderr" == *"Connection to 127.0.0.1 $port port [tcp/*] succeeded!"* ]]
	run grep -c "^sockline: connect to 127.0.0.1 port .* (tcp) failed" <<<"$stderr"
	# The neighbours are normally closed; only the open one must succeed.
	run grep -c "succeeded!" <<<"$stderr"
	assert_output 1
}

@test "-z rejects a backwards range and a range without -z" {
	run --separate-stderr "$SOCKLINE" -z 127.0.0.1 25-20
	assert_failure 2
	run --separate-stderr "$SOCKLINE" 127.0.0.1 20-25
	assert_failure 2
}

@test "-w gives up on a connect that hangs, after about SECS, with timed out and exit 1" {
	# A listener with a full backlog: further connects hang, locally.
	bg full python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
held = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(s.getsockname())
    except BlockingIOError: pass
    held.append(c)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)' "$T/port"
	port=$(port_of "$T/port")
	start=$(now_us)
	run --separate-stderr timeout 20 "$SOCKLINE" -w 1 127.0.0.1 "$port" </dev/null
	elapsed_ms=$((($(now_us) - start) / 1000))
	assert_failure 1
	[[ "$stderr" == *"timed out"* ]]
	echo "gave up after ${elapsed_ms} ms" >&3
	((elapsed_ms >= 900 && elapsed_ms < 5000))
}

@test "-i ends a silent session with idle timeout and exit 1" {
	hold_open "$T/in"
	bg srv peer.py --listen --port-file "$T/port" wait-file:"$T/never"
	port=$(port_of "$T/port")
	bg_in sl "$T/in" "$SOCKLINE" -i 0.5 127.0.0.1 "$port"
	finish "$sl_pid" 10
	assert_equal "$status" 1
	run cat "$T/sl.err"
	assert_output --partial "idle timeout"
}

@test "-i is reset by traffic in either direction" {
	# The peer talks every 300 ms for 1.5 s, then goes quiet: with -i 0.5
	# the session lives through the talk and ends only after it.
	hold_open "$T/in"
	bg srv peer.py --listen --port-file "$T/port" \
		send:'1\n' sleep:300 send:'2\n' sleep:300 send:'3\n' sleep:300 send:'4\n' \
		sleep:300 send:'5\n' wait-file:"$T/never"
	port=$(port_of "$T/port")
	bg_in sl "$T/in" "$SOCKLINE" -i 0.5 127.0.0.1 "$port"
	finish "$sl_pid" 10
	assert_equal "$status" 1
	assert_equal "$(cat "$T/sl.out")" "$(printf '1\n2\n3\n4\n5')"
}

@test "-i counts what sockline sends as traffic too" {
	bg srv peer.py --listen --port-file "$T/port" recv-all:"$T/got"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c \
		'for i in 1 2 3 4 5; do echo $i; sleep 0.3; done | "$0" -i 0.5 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	finish "$srv_pid"
	assert_equal "$(cat "$T/got")" "$(printf '1\n2\n3\n4\n5')"
}
