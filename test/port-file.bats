#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --port-file: the bound port, written once the listener is ready, so a
# script waits for a file instead of parsing -v output.  A rename makes
# the write atomic, but never over something that is not a plain file.

load helpers/common

# serve_one PORTFILE: a one-client sockline listener that says "hi".
serve_one() {
	printf 'hi\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -l --port-file "$1" 127.0.0.1 0
}

@test "the port file holds the bound port and a newline, and no temporary file is left" {
	mkdir "$T/d"
	serve_one "$T/d/port"
	port=$(port_of "$T/d/port")
	[[ "$port" =~ ^[0-9]+$ ]] && ((port > 0))
	[ "$(wc -c <"$T/d/port")" -eq $((${#port} + 1)) ]
	run ls "$T/d"
	assert_output "port"
	run timeout 10 "$SOCKLINE" 127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "hi"
}

@test "an old port file is replaced whole" {
	echo 99999999 >"$T/port"
	serve_one "$T/port"
	wait_until grep -qvx 99999999 "$T/port"
	port=$(head -n 1 "$T/port")
	run timeout 10 "$SOCKLINE" 127.0.0.1 "$port" </dev/null
	assert_output "hi"
}

@test "a FIFO with a reader gets the port and stays a FIFO" {
	mkfifo "$T/fifo"
	# The reader first, as a script waiting on the FIFO would (opened
	# read-write so that the open itself does not wait for a writer).
	exec {fifo_fd}<>"$T/fifo"
	serve_one "$T/fifo"
	read -r -t "$WAIT_SECS" port <&"$fifo_fd"
	exec {fifo_fd}<&-
	[[ "$port" =~ ^[0-9]+$ ]]
	[ -p "$T/fifo" ]
	run timeout 10 "$SOCKLINE" 127.0.0.1 "$port" </dev/null
	assert_output "hi"
}

@test "a FIFO nobody reads is an error, not a hang" {
	mkfifo "$T/fifo"
	run --separate-stderr timeout 10 "$SOCKLINE" -l --port-file "$T/fifo" \
		127.0.0.1 0 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write port file $T/fifo: a FIFO with no reader yet"
	[ -p "$T/fifo" ]
}

@test "a symbolic link keeps pointing where it did, and its target gets the port" {
	ln -s target "$T/link"
	serve_one "$T/link"
	wait_file "$T/target"
	[ -L "$T/link" ]
	port=$(head -n 1 "$T/target")
	run timeout 10 "$SOCKLINE" 127.0.0.1 "$port" </dev/null
	assert_output "hi"
}

@test "--port-file /dev/stdout writes the port on stdout, before what clients send" {
	printf 'from-client\n' >"$T/msg"
	bg sl "$SOCKLINE" -l --port-file /dev/stdout 127.0.0.1 0
	wait_file "$T/sl.out"
	port=$(head -n 1 "$T/sl.out")
	[[ "$port" =~ ^[0-9]+$ ]]
	run timeout 10 "$SOCKLINE" 127.0.0.1 "$port" <"$T/msg"
	assert_success
	finish "$sl_pid"
	[ "$status" -eq 0 ]
	run cat "$T/sl.out"
	assert_output "$port
from-client"
	[ -c /dev/null ]
}
