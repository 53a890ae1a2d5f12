#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# What happens when either side stops: half-close, the peer closing
# first, stalled readers, resets (design.md items 1-3).

load helpers/common

@test "the peer half-closes first while 64 MiB remain to send to a slow reader: every byte arrives" {
	head -c 67108864 /dev/urandom >"$T/big"
	# The peer says it is done sending at once, then reads slowly.
	bg srv peer.py --listen --port-file "$T/port" shutdown slow-recv:"$T/got":65536:1
	port=$(port_of "$T/port")
	run --separate-stderr timeout 120 bash -c 'cat "$2" | "$0" 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port" "$T/big"
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
	cmp "$T/big" "$T/got"
}

@test "the peer closing while stdin stays open ends the run promptly with exit 0" {
	hold_open "$T/in"
	bg srv peer.py --listen --port-file "$T/port" send:'bye\n' close
	port=$(port_of "$T/port")
	bg_in sl "$T/in" "$SOCKLINE" 127.0.0.1 "$port"
	finish "$sl_pid" 5
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "bye"
}

@test "input already flowing is still delivered after the peer half-closed" {
	# The peer half-closes at once and then counts what it receives.
	seq 1 200000 >"$T/lines"
	bg srv peer.py --listen --port-file "$T/port" shutdown recv-all:"$T/got"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 30 bash -c 'cat "$2" | "$0" 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port" "$T/lines"
	assert_success
	finish "$srv_pid"
	cmp "$T/lines" "$T/got"
}

@test "stdin at /dev/null half-closes at once, then waits for the peer without spinning" {
	bg srv peer.py --listen --port-file "$T/port" expect-eof touch:"$T/idle" \
		wait-file:"$T/go" send:'late\n' close
	port=$(port_of "$T/port")
	bg sl "$SOCKLINE" 127.0.0.1 "$port"
	wait_until test -e "$T/idle"
	t0=$(cpu_ticks "$sl_pid")
	sleep 1 # the window in which CPU use is measured, not a wait
	t1=$(cpu_ticks "$sl_pid")
	touch "$T/go"
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "late"
	(( t1 - t0 <= 2 ))
}

@test "a closed stdin behaves like an empty one" {
	bg srv peer.py --listen --port-file "$T/port" expect-eof send:'x\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'exec "$0" 127.0.0.1 "$1" 0<&-' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "x"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "after end of input the reply that follows the half-close is printed" {
	bg srv peer.py --listen --port-file "$T/port" expect:'question\n' expect-eof \
		sleep:200 send:'answer\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "question\n" | "$0" 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "answer"
}

@test "--no-shutdown keeps the write side open after end of input" {
	bg srv peer.py --listen --port-file "$T/port" expect:'hi\n' no-eof-within:300 \
		send:'still open\n' close
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "hi\n" | "$0" --no-shutdown 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "still open"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "-q bounds the wait for a peer that never closes after end of input" {
	bg srv peer.py --listen --port-file "$T/port" expect:'hi\n' expect-eof send:'ack\n' \
		wait-file:"$T/never"
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c 'printf "hi\n" | "$0" -q 0.3 127.0.0.1 "$1"' \
		"$SOCKLINE" "$port"
	assert_success
	assert_output "ack"
}

@test "a stalled stdout reader loses nothing and sockline's memory stays bounded" {
	head -c 33554432 /dev/urandom >"$T/big"
	bg srv peer.py --listen --port-file "$T/port" send-file:"$T/big" close
	port=$(port_of "$T/port")
	mkfifo "$T/pipe"
	# The reader reads nothing until the sampling is over, then
	# everything: a file says when, so a loaded machine cannot end the
	# stall (and sockline) before the samples are taken.
	bg_in reader "$T/pipe" slowcat.py "file:$T/go" "$T/got"
	bg sl bash -c 'exec "$0" 127.0.0.1 "$1" >"$2"' "$SOCKLINE" "$port" "$T/pipe"
	wait_until is_sockline "$sl_pid"
	base=$(rss_kb "$sl_pid")
	max=0
	for i in $(seq 20); do # sampled over about a second while stalled
		rss=$(($(rss_kb "$sl_pid") - base))
		((rss > max)) && max=$rss
		sleep 0.05
	done
	touch "$T/go"
	finish "$sl_pid"
	assert_equal "$status" 0
	finish "$reader_pid"
	cmp "$T/big" "$T/got"
	echo "peak RSS growth while stalled: ${max} kB" >&3
	((max < 16384))
}

@test "the peer resetting during a 50 MB send exits 1 with Connection reset by peer" {
	head -c 52428800 /dev/zero >"$T/big"
	bg srv peer.py --listen --port-file "$T/port" recv:1048576 reset
	port=$(port_of "$T/port")
	run --separate-stderr timeout 20 "$SOCKLINE" 127.0.0.1 "$port" <"$T/big"
	assert_failure 1
	[[ "$stderr" == *"Connection reset by peer"* ]]
	[[ "$stderr" == "sockline: "* ]]
}

@test "the peer resetting while sockline only receives exits 1" {
	hold_open "$T/in"
	bg srv peer.py --listen --port-file "$T/port" send:'partial' reset
	port=$(port_of "$T/port")
	bg_in sl "$T/in" "$SOCKLINE" 127.0.0.1 "$port"
	finish "$sl_pid"
	assert_equal "$status" 1
	run cat "$T/sl.err"
	assert_output --partial "Connection reset by peer"
}

@test "a reader that goes away is an error, not a death by SIGPIPE" {
	head -c 10485760 /dev/zero >"$T/big"
	bg srv peer.py --listen --port-file "$T/port" send-file:"$T/big" close
	port=$(port_of "$T/port")
	run timeout 20 bash -c '"$0" 127.0.0.1 "$1" </dev/null 2>"$2" | head -c 10 >/dev/null
		exit "${PIPESTATUS[0]}"' "$SOCKLINE" "$port" "$T/err"
	assert_failure 1
	run cat "$T/err"
	assert_output --partial "Broken pipe"
}

@test "data the peer refused after closing is a reset (exit 1), even when it shows only at the half-close" {
	# The peer closes at once without reading: what sockline sends is
	# answered with a reset, which a one-line input may only learn of
	# when it half-closes.  Ten rounds: it used to exit 0 most times.
	for i in $(seq 10); do
		rm -f "$T/port"
		bg srv peer.py --listen --port-file "$T/port" close
		port=$(port_of "$T/port")
		run --separate-stderr timeout 10 bash -c \
			'echo data | "$0" 127.0.0.1 "$1"' "$SOCKLINE" "$port"
		assert_failure 1
		[[ "$stderr" == "sockline: connection with 127.0.0.1 port $port (tcp) lost: "* ]]
		finish "$srv_pid"
	done
}
