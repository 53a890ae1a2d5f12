#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# -l -k: many clients in one event loop, -m, --allow/--deny, and clients
# that leave, reset or never read (design.md item 8).

load helpers/common

start_k() {
	bg sl "$SOCKLINE" -v -l -k "$@" --port-file "$T/port"
	port=$(port_of "$T/port")
}

@test "200 concurrent clients of -l -k --echo each get back exactly their own payloads" {
	start_k -m 300 127.0.0.1 0 --echo
	run swarm.py 127.0.0.1 "$port" 200 10
	assert_success
	# What the listener shows locally is every line, each one whole.
	wait_until test "$(wc -l <"$T/sl.out")" -eq 2000
	run grep -cvE '^[0-9]+:[0-9]+:[a-z0-9]+$' "$T/sl.out"
	assert_output 0
}

@test "five clients sending a line every 100 ms each get back exactly their own lines" {
	start_k 127.0.0.1 0 --echo
	run swarm.py 127.0.0.1 "$port" 5 10 100
	assert_success
}

@test "the default -m 100 turns the 101st client away at once, and -v says so" {
	start_k 127.0.0.1 0 --echo
	run swarm.py 127.0.0.1 "$port" 101 1
	assert_failure
	[[ "$stderr$output" == *"1 of 101 clients failed"* ]]
	run grep -c 'Refused a connection from 127.0.0.1 [0-9]*: 100 clients already (-m)' "$T/sl.err"
	assert_output 1
}

@test "-m 2 closes a third client at once while the first two are served" {
	start_k -m 2 127.0.0.1 0 --echo
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a\n' expect:'a\n' \
		wait-file:"$T/go" send:'a2\n' expect:'a2\n' close
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b\n' expect:'b\n' \
		wait-file:"$T/go" send:'b2\n' expect:'b2\n' close
	wait_line "$T/sl.out" '^a$'
	wait_line "$T/sl.out" '^b$'
	run peer.py --connect 127.0.0.1 --port "$port" expect-eof
	assert_success
	touch "$T/go"
	finish "$a_pid"
	assert_equal "$status" 0
	finish "$b_pid"
	assert_equal "$status" 0
	run grep -c 'Refused a connection .*: 2 clients already (-m)' "$T/sl.err"
	assert_output 1
}

@test "piped input goes to every client of -l -k" {
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -l -k 127.0.0.1 0 --port-file "$T/port"
	exec 4>"$T/in"
	port=$(port_of "$T/port")
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a here\n' expect:'to all\n' close
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b here\n' expect:'to all\n' close
	wait_line "$T/sl.out" '^a here$'
	wait_line "$T/sl.out" '^b here$'
	printf 'to all\n' >&4
	finish "$a_pid"
	assert_equal "$status" 0
	finish "$b_pid"
	assert_equal "$status" 0
	exec 4>&-
}

@test "lines of different clients are never mixed inside a line on stdout" {
	start_k 127.0.0.1 0
	# a starts a line, b sends a whole one, then a finishes its line
	# without pausing.
	run split-line.py 127.0.0.1 "$port"
	assert_success
	n=$output
	wait_line "$T/sl.out" "^first half $n second half $n\$"
	wait_line "$T/sl.out" "^whole line from b $n\$"
}

@test "-k shows a partial line once it pauses, while its client stays connected" {
	start_k 127.0.0.1 0
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'hello!' wait-file:"$T/never"
	wait_until grep -qx 'hello!' "$T/sl.out"
	kill -0 "$a_pid"
}

@test "-k --reply: the client that sent hello! with no newline is answered and shown" {
	start_k 127.0.0.1 0 --reply Hi
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'hello!' expect:'Hi' \
		touch:"$T/answered" wait-file:"$T/never"
	wait_until test -e "$T/answered"
	wait_until grep -qx 'hello!' "$T/sl.out"
}

@test "-k: the rest of a line shown after a pause follows it on the same line" {
	start_k 127.0.0.1 0
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'abc' \
		wait-file:"$T/more" send:'def\n' close
	wait_until grep -qx 'abc' "$T/sl.out"
	touch "$T/more"
	finish "$a_pid"
	wait_line "$T/sl.out" '^abcdef$'
	run wc -l <"$T/sl.out"
	assert_output 1
}

@test "end of input stops reading stdin but does not half-close -k clients" {
	start_k 127.0.0.1 0
	run peer.py --connect 127.0.0.1 --port "$port" send:'still here?\n' \
		no-eof-within:300 close
	assert_success
	# More may come.
	run peer.py --connect 127.0.0.1 --port "$port" send:'next\n' close
	assert_success
	wait_line "$T/sl.out" '^next$'
	kill -0 "$sl_pid"
}

@test "--allow admits only the given prefixes, IPv4 and IPv6" {
	start_k --allow 127.0.0.0/8 0 --echo
	run peer.py --connect 127.0.0.1 --port "$port" send:'v4 ok\n' expect:'v4 ok\n' close
	assert_success
	run peer.py -6 --connect ::1 --port "$port" send:'v6 secret\n' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Refused a connection from ::1 [0-9]+: not allowed$'
	run grep -c 'v6 secret' "$T/sl.out"
	assert_output 0
}

@test "--deny refuses the given peers before reading a byte; repeated options add up" {
	start_k --allow ::1 --allow 127.0.0.1/32 --deny 127.0.0.0/24 0 --echo
	run peer.py --connect 127.0.0.1 --port "$port" send:'denied bytes\n' expect-closed
	assert_success
	run peer.py -6 --connect ::1 --port "$port" send:'v6 ok\n' expect:'v6 ok\n' close
	assert_success
	wait_line "$T/sl.out" '^v6 ok$'
	run grep -c 'denied bytes' "$T/sl.out"
	assert_output 0
	run grep -cE '^Refused a connection from 127\.0\.0\.1 [0-9]+: not allowed$' "$T/sl.err"
	assert_output 1
}

@test "a v4-mapped --allow or --deny entry stands for its IPv4 address" {
	start_k --allow ::ffff:127.0.0.1 127.0.0.1 0 --echo
	run peer.py --connect 127.0.0.1 --port "$port" send:'mapped ok\n' expect:'mapped ok\n' close
	assert_success
	kill "$sl_pid"
	finish "$sl_pid"
	rm -f "$T/port"
	start_k --deny ::ffff:127.0.0.0/104 127.0.0.1 0 --echo
	run peer.py --connect 127.0.0.1 --port "$port" send:'denied\n' expect-closed
	assert_success
	wait_line "$T/sl.err" '^Refused a connection from 127\.0\.0\.1 [0-9]+: not allowed$'
}

@test "--allow and --deny apply to UDP senders too" {
	bg sl "$SOCKLINE" -v -u -l --deny 127.0.0.1 0 --echo --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'v4 denied\n' no-dgram-within:200
	assert_success
	run peer.py --udp -6 --connect ::1 --port "$port" send:'v6\n' expect:'v6\n'
	assert_success
	run grep -c 'v4 denied' "$T/sl.out"
	assert_output 0
}

@test "bad --allow and --deny values are usage errors" {
	for a in 300.1.1.1 127.0.0.1/33 ::1/129 localhost 10.0.0.0/x ''; do
		run --separate-stderr "$SOCKLINE" -l -k --allow "$a" 0
		assert_failure 2
	done
	run --separate-stderr "$SOCKLINE" --allow 127.0.0.1 127.0.0.1 80
	assert_failure 2
}

@test "a client that resets never disturbs the others" {
	start_k 127.0.0.1 0 --echo
	bg steady peer.py --connect 127.0.0.1 --port "$port" send:'1\n' expect:'1\n' \
		wait-file:"$T/reset-done" send:'2\n' expect:'2\n' close
	wait_line "$T/sl.out" '^1$'
	run peer.py --connect 127.0.0.1 --port "$port" send:'bye\n' expect:'bye\n' reset
	assert_success
	touch "$T/reset-done"
	finish "$steady_pid"
	assert_equal "$status" 0
	kill -0 "$sl_pid"
}

@test "a client killed in the middle of a big transfer leaves the others going" {
	head -c 20000000 /dev/urandom >"$T/big"
	start_k 127.0.0.1 0 --echo
	bg victim peer.py --connect 127.0.0.1 --port "$port" send-file:"$T/big" recv-all:"$T/v"
	bg steady swarm.py 127.0.0.1 "$port" 3 20 20
	# Kill it once the listener has seen some of its bytes.
	wait_until test -s "$T/sl.out"
	kill -KILL "$victim_pid"
	finish "$steady_pid"
	assert_equal "$status" 0
	kill -0 "$sl_pid"
	run swarm.py 127.0.0.1 "$port" 2 2
	assert_success
}

@test "a client that never reads is dropped with a -v note, and memory stays bounded" {
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -l -k 127.0.0.1 0 --port-file "$T/port"
	exec 4>"$T/in"
	port=$(port_of "$T/port")
	# One client that never reads, one that reads everything.
	bg stuck peer.py --connect 127.0.0.1 --port "$port" send:'stuck\n' wait-file:"$T/never"
	bg reader peer.py --connect 127.0.0.1 --port "$port" send:'reader\n' recv-all:"$T/got"
	wait_line "$T/sl.out" '^stuck$'
	wait_line "$T/sl.out" '^reader$'
	head -c 30000000 /dev/urandom >"$T/big"
	before=$(rss_kb "$sl_pid")
	cat "$T/big" >&4
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: it does not read'
	grown=$(($(rss_kb "$sl_pid") - before))
	echo "RSS growth over a 30 MB broadcast with a stuck client: ${grown} kB" >&3
	((grown < 16384))
	kill "$reader_pid"
	exec 4>&-
}

@test "with --echo, a client that sends but never reads is dropped with a -v note; the others are served" {
	bg sl "$SOCKLINE" -v -l -k --echo 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	# 64 MB sent while nothing is read back: far past what the kernel's
	# buffers and sockline's queue for it hold.
	head -c 64000000 /dev/zero >"$T/big"
	bg stuck peer.py --connect 127.0.0.1 --port "$port" send-file:"$T/big" \
		wait-file:"$T/never"
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: it does not read'
	# The stuck client saw its connection go.
	finish "$stuck_pid"
	assert_equal "$status" 1
	run peer.py --connect 127.0.0.1 --port "$port" send:'still here\n' \
		expect:'still here\n' close
	assert_success
	kill -0 "$sl_pid"
}

# resets_then_serves RESPONDER-ARGS...: a -k listener running a program
# for each client (`seq 100000`, 588895 bytes) loses three clients that
# half-close, read 6 bytes and reset, and still serves a fourth whole.
resets_then_serves() {
	rm -f "$T/port" "$T/sl.err"
	bg sl "$SOCKLINE" -v -l -k 127.0.0.1 0 "$@" --port-file "$T/port"
	port=$(port_of "$T/port")
	for i in 1 2 3; do
		run peer.py --connect 127.0.0.1 --port "$port" shutdown recv:6 reset
		assert_success
	done
	wait_line "$T/sl.err" '^Dropped 127\.0\.0\.1 [0-9]+: '
	kill -0 "$sl_pid"
	run peer.py --connect 127.0.0.1 --port "$port" shutdown recv:588895 \
		expect-eof
	assert_success
	kill "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 143
}

@test "-k -e and -c: clients that half-close, read a little and reset are dropped; the listener serves on" {
	# The program's output met the reset while being sent: that used to
	# free the program's state under its own event handler (a crash).
	resets_then_serves -e 'seq 100000'
	resets_then_serves -c 'seq 100000'
}
