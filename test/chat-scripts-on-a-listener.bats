#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --script FILE on a listener (design.md item 22): each client runs its
# own copy of the script; python SMTP clients talk to the fake server it
# makes.  With -k a client that fails is dropped and counted, and the
# listener's exit status says so when it ends.

load helpers/common

# listen NAME ARGS...: sockline -l in the background; sets $port.
listen() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -l 127.0.0.1 0 --port-file "$T/$name.port" "$@"
	port=$(port_of "$T/$name.port")
}

setup() {
	cd "$T"
	cat >mx.chat <<'CHAT'
# A mail server that takes one message.
send 220 mx.test ESMTP scripted\r
expect ^EHLO 
send 250-mx.test\r\n250 HELP\r
expect ^MAIL FROM:
send 250 2.1.0 Ok\r
expect ^RCPT TO:<bob@mx\.test>
send 250 2.1.5 Ok\r
expect ^DATA
send 354 go ahead\r
expect ^\.$
send 250 2.0.0 Ok: queued\r
expect ^QUIT
send 221 2.0.0 Bye\r
CHAT
}

@test "a listener script plays an SMTP server that a python client sends a message to" {
	listen sl --script mx.chat
	run smtp-client.py "$port" --sent "$T/client.sent" --received "$T/client.received"
	assert_success
	finish "$sl_pid"
	[ "$status" -eq 0 ]
	# The listener showed what the client sent, as usual.
	tr -d '\r' <client.sent | cmp - <(tr -d '\r' <sl.out)
}

@test "a client that breaks the script makes a one-client listener exit 1 with the file and line" {
	listen sl -w 0.5 --script mx.chat
	run smtp-client.py "$port" --rcpt carol@mx.test
	assert_failure
	finish "$sl_pid"
	[ "$status" -eq 1 ]
	[ "$(cat sl.err)" = 'sockline: mx.chat:7: expected /^RCPT TO:<bob@mx\.test>/, got "RCPT TO:<carol@mx.test>"' ]
}

@test "-k runs a copy of the script for each client, several at once" {
	listen sl -k --script mx.chat
	smtp-client.py "$port" --helo one.test >c1.out 2>&1 &
	p1=$!
	smtp-client.py "$port" --helo two.test >c2.out 2>&1 &
	p2=$!
	smtp-client.py "$port" --helo three.test >c3.out 2>&1 &
	p3=$!
	wait "$p1"
	wait "$p2"
	wait "$p3"
	for h in one two three; do
		grep -q "^EHLO $h.test" sl.out
	done
	! gone "$sl_pid"
}

@test "-k: a client that fails is closed and reported with -v, the others pass, and the end exits 1" {
	listen sl -k -v -w 0.5 --script mx.chat
	run smtp-client.py "$port" --rcpt carol@mx.test
	assert_failure
	wait_line sl.err '^Dropped 127\.0\.0\.1 [0-9]+: mx\.chat:7: expected /\^RCPT TO:<bob@mx\\\.test>/, got "RCPT TO:<carol@mx\.test>"$'
	run smtp-client.py "$port"
	assert_success
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	[ "$status" -eq 1 ]
	[ "$(tail -n 1 sl.err)" = 'sockline: 1 client failed mx.chat' ]
}

@test "-k: a client that resets in the middle of its script counts as a failure" {
	listen sl -k -v --script mx.chat
	run peer.py --connect 127.0.0.1 --port "$port" expect:'220 mx.test ESMTP scripted\r\n' reset
	assert_success
	wait_line sl.err '^Dropped 127\.0\.0\.1 [0-9]+: '
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	[ "$status" -eq 1 ]
	[ "$(tail -n 1 sl.err)" = 'sockline: 1 client failed mx.chat' ]
}

@test "-k: when every client passed, a signal ends the listener with 128+N as always" {
	listen sl -k --script mx.chat
	run smtp-client.py "$port"
	assert_success
	run smtp-client.py "$port"
	assert_success
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	[ "$status" -eq 143 ]
	[ ! -s sl.err ]
}

@test "-w bounds each expect on a listener too (it is no connect timeout there)" {
	listen sl -w 0.3 --script mx.chat
	bg cl peer.py --connect 127.0.0.1 --port "$port" expect:'220 mx.test ESMTP scripted\r\n' expect-eof
	finish "$sl_pid"
	[ "$status" -eq 1 ]
	[ "$(cat sl.err)" = 'sockline: mx.chat:3: timed out after 0.3 s waiting for /^EHLO /' ]
	finish "$cl_pid"
	[ "$status" -eq 0 ]
}

@test "a script runs over TLS as over plain TCP: a python TLS client sees the plaintext conversation" {
	printf 'send hello\nexpect ^bye$\nsend ok\n' >tls.chat
	listen sl --tls --tls-cert-out "$T/ca.pem" --script tls.chat
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		expect:'hello\n' send:'bye\n' expect:'ok\n' expect-close-notify
	assert_success
	finish "$sl_pid"
	[ "$status" -eq 0 ]
}
