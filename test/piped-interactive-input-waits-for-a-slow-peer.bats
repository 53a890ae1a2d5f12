#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# `--interactive` with input from a pipe reads no further while the send
# queue is full: a peer that stops reading costs bounded memory, and
# when it reads again every byte arrives (design item 13's bound, issue
# 12 item 13).  The socket buffers are made small in a network namespace
# of the test's own, so the queue fills after a few hundred kB.

load helpers/common

# watches_stdin PID: PID's epoll set holds its fd 0, i.e. it would read
# stdin as soon as something is there.
watches_stdin() {
	grep -qsE '^tfd: +0 ' /proc/"$1"/fdinfo/*
}

# stopped_reading PID: PID has read some of its input and now waits for
# room before it reads any more, though there is more: the writer of
# the pipe is still there, blocked on it.
stopped_reading() {
	local rchar
	rchar=$(awk '/^rchar:/ { print $2 }' "/proc/$1/io")
	((rchar > 200000)) && ! watches_stdin "$1" &&
		! gone "$(cat "$T/feeder.pid")"
}

# note_rss PID: keeps the largest resident memory of PID seen in
# $T/rss.max (kB); false once PID has ended.
note_rss() {
	local kb
	kb=$(rss_kb "$1" 2>/dev/null) || return 1
	[ -n "$kb" ] || return 1
	if ((kb > $(cat "$T/rss.max" 2>/dev/null || echo 0))); then
		echo "$kb" >"$T/rss.max"
	fi
}

# ended_noting_rss PID: PID has ended (its memory noted until then).
ended_noting_rss() {
	! note_rss "$1"
}

@test "piped input is not read further while the peer takes nothing, and none of it is lost" {
	netns_or_skip
	yes 'a line of text typed into a pipe, again and again.' |
		head -n 20000 >"$T/input"
	# setsid: no controlling terminal, so the echo of the input goes to
	# stderr (a file), never to the terminal running the tests.
	bg ns in_netns '
		echo "4096 16384 65536" >/proc/sys/net/ipv4/tcp_wmem &&
		echo "4096 16384 65536" >/proc/sys/net/ipv4/tcp_rmem || exit 97
		peer.py --listen --port-file "$T/port" wait-file:"$T/go" \
			recv-all:"$T/got" 2>"$T/peer.err" 3>&- &
		echo $! >>"$T/pids"
		echo $! >"$T/peer.pid"
		wait_file "$T/port" || exit 98
		mkfifo "$T/pipe"
		cat "$T/input" >"$T/pipe" 3>&- &
		echo $! >>"$T/pids"
		echo $! >"$T/feeder.pid"
		setsid "$SOCKLINE" --interactive 127.0.0.1 "$(cat "$T/port")" \
			<"$T/pipe" >/dev/null 2>"$T/sl.err" 3>&- &
		echo $! >>"$T/pids"
		echo $! >"$T/sl.pid"
		wait'
	wait_file "$T/sl.pid"
	sl_pid=$(cat "$T/sl.pid")
	wait_until is_sockline "$sl_pid"
	wait_until stopped_reading "$sl_pid"
	note_rss "$sl_pid"
	# Now the peer reads: the rest goes through, memory stays bounded.
	touch "$T/go"
	WAIT_SECS=60 wait_until ended_noting_rss "$sl_pid"
	finish "$ns_pid" 60
	assert_equal "$status" 0
	cmp "$T/input" "$T/got"
	(($(cat "$T/rss.max") < 16384))
}
