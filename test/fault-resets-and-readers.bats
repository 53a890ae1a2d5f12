#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault injection, peers and readers: a peer that resets in the middle
# of a transfer, a reader that goes away after 10 bytes, and a reader
# that stops for 3 s.  Each case runs over every input path sockline
# has: sendfile(2) from a file, splice(2) from a pipe, read(2) from a
# device.

load helpers/common

# sockline's stdin for input kind KIND: a 50 MB file, a pipe that never
# ends, or /dev/zero.
input_cmd() {
	case $1 in
	file) echo "exec \"\$@\" <\"$T/big\"" ;;
	pipe) echo "yes | \"\$@\"" ;;
	device) echo "exec \"\$@\" </dev/zero" ;;
	esac
}

# assert_reset: the run ended 1 with one line about the reset.
assert_reset() {
	local err=$1 what=$2
	assert_equal "$status" 1
	run cat "$err"
	[ "${#lines[@]}" -eq 1 ] || fail "$what: not one line: $output"
	assert_output --regexp '^sockline: .*(Connection reset by peer|Broken pipe)$'
}

@test "a peer that resets while sockline sends, as a client: exit 1 and a message, every time" {
	head -c 52428800 /dev/zero >"$T/big"
	for kind in file pipe device file pipe device; do
		rm -f "$T/port"
		bg srv peer.py --listen --port-file "$T/port" \
			recv:$((RANDOM * 32 + 1)) reset
		port=$(port_of "$T/port")
		bg sl bash -c "$(input_cmd $kind)" sl "$SOCKLINE" 127.0.0.1 "$port"
		finish "$sl_pid"
		assert_reset "$T/sl.err" "$kind"
	done
}

@test "a peer that resets while sockline sends, as a listener: exit 1 and a message, every time" {
	head -c 52428800 /dev/zero >"$T/big"
	for kind in file pipe device file pipe device; do
		rm -f "$T/port"
		bg sl bash -c "$(input_cmd $kind)" sl "$SOCKLINE" -l 127.0.0.1 0 \
			--port-file "$T/port"
		port=$(port_of "$T/port")
		run peer.py --connect 127.0.0.1 --port "$port" \
			recv:$((RANDOM * 32 + 1)) reset
		assert_success
		finish "$sl_pid"
		assert_reset "$T/sl.err" "$kind"
	done
}

@test "a peer that resets while sockline receives, as a client: exit 1 and a message, every time" {
	head -c 16777216 /dev/urandom >"$T/big"
	hold_open "$T/in"
	for out in file pipe file pipe; do
		rm -f "$T/port"
		bg srv peer.py --listen --port-file "$T/port" send-file:"$T/big" reset
		port=$(port_of "$T/port")
		if [ "$out" = file ]; then
			bg_in sl "$T/in" "$SOCKLINE" 127.0.0.1 "$port"
		else
			bg_in sl "$T/in" bash -c '"$0" "$@" | cat >/dev/null; exit "${PIPESTATUS[0]}"' \
				"$SOCKLINE" 127.0.0.1 "$port"
		fi
		finish "$sl_pid"
		assert_reset "$T/sl.err" "$out"
	done
}

@test "a peer that resets while sockline receives, as a listener: exit 1 and a message, every time" {
	head -c 16777216 /dev/urandom >"$T/big"
	hold_open "$T/in"
	for out in file pipe file pipe; do
		rm -f "$T/port"
		if [ "$out" = file ]; then
			bg_in sl "$T/in" "$SOCKLINE" -l 127.0.0.1 0 --port-file "$T/port"
		else
			bg_in sl "$T/in" bash -c '"$0" "$@" | cat >/dev/null; exit "${PIPESTATUS[0]}"' \
				"$SOCKLINE" -l 127.0.0.1 0 --port-file "$T/port"
		fi
		port=$(port_of "$T/port")
		run peer.py --connect 127.0.0.1 --port "$port" send-file:"$T/big" reset
		finish "$sl_pid"
		assert_reset "$T/sl.err" "$out"
	done
}

@test "sockline | head -c 10 against a 50 MB sender exits at once with exit 1, without spinning" {
	head -c 52428800 /dev/urandom >"$T/big"
	hold_open "$T/in"
	# Spliced to the pipe, and read and written (-o turns splice off).
	for opts in "" "-o $T/log"; do
		rm -f "$T/port"
		bg srv peer.py --listen --port-file "$T/port" send-file:"$T/big"
		port=$(port_of "$T/port")
		run --separate-stderr timeout 20 bash -c '
			TIMEFORMAT="%R %U %S"
			{ time { "$0" $1 127.0.0.1 "$2" <"$3" 2>"$4.err" |
				head -c 10 >"$4"
				echo "${PIPESTATUS[0]}" >"$4.status"; }; } 2>"$4.time"' \
			"$SOCKLINE" "$opts" "$port" "$T/in" "$T/out"
		assert_success
		assert_equal "$(cat "$T/out.status")" 1
		assert_equal "$(cat "$T/out.err")" "sockline: write to stdout failed: Broken pipe"
		cmp "$T/out" <(head -c 10 "$T/big")
		read -r real user sys <"$T/out.time"
		echo "sockline ${opts:+-o log }| head -c 10: ${real} s, ${user} s user, ${sys} s system" >&3
		# A 50 MB transfer would take far longer than this on loopback
		# only if it did not stop; a spinning loop would burn the CPU.
		python3 -c "import sys; sys.exit(not ($real < 2 and $user + $sys < 1))"
	done
}

# RSS of the pid in $sl_pid, sampled every 100 ms for SECS: the largest
# growth over the first sample, in kB, in $grown.
sample_rss() {
	local secs=$1 base rss i
	base=$(rss_kb "$sl_pid")
	grown=0
	for ((i = 0; i < secs * 10; i++)); do
		rss=$(($(rss_kb "$sl_pid") - base))
		((rss > grown)) && grown=$rss
		sleep 0.1 # the sampling period, not a wait for anything
	done
}

@test "a reader that stops a while then reads gets every byte, and memory stays bounded meanwhile" {
	head -c 67108864 /dev/urandom >"$T/big"
	# Spliced to the pipe, and read and written (-C turns splice off).
	for opts in "" "-C"; do
		rm -f "$T/port" "$T/pipe" "$T/got" "$T/go"
		bg srv peer.py --listen --port-file "$T/port" send-file:"$T/big" close
		port=$(port_of "$T/port")
		mkfifo "$T/pipe"
		# Stopped until the samples are taken (a file says when).
		bg_in reader "$T/pipe" slowcat.py "file:$T/go" "$T/got"
		bg sl bash -c 'exec "$0" $1 127.0.0.1 "$2" </dev/null >"$3"' \
			"$SOCKLINE" "$opts" "$port" "$T/pipe"
		wait_until is_sockline "$sl_pid"
		sample_rss 2
		echo "RSS growth while the reader stopped (${opts:-splice}): ${grown} kB" >&3
		touch "$T/go"
		((grown < 16384))
		finish "$sl_pid"
		assert_equal "$status" 0
		finish "$reader_pid"
		cmp "$T/big" "$T/got"
	done
}
