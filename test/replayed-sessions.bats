#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --replay LOG (design.md item 22): a session log that -o recorded
# plays the other side again.  A client's log makes a listener that is
# that server; a listener's log makes a client that is that client.
# The peers are python SMTP programs that check every reply.

load helpers/common

setup() {
	cd "$T"
	# Sends exactly what smtp-client.py sends.
	cat >client.chat <<'CHAT'
expect ^220 
send EHLO client.test\r
expect ^250 
send MAIL FROM:<alice@client.test>\r
expect ^250
send RCPT TO:<bob@mx.test>\r
expect ^250
send DATA\r
expect ^354
send Subject: hello\r\n\r\nHi Bob.\r\n.\r
expect ^250
send QUIT\r
expect ^221
expect-eof
CHAT
	# Says exactly what smtp-server.py says.
	cat >server.chat <<'CHAT'
send 220 mx.test ESMTP fake\r
expect ^EHLO
send 250-mx.test\r\n250-SIZE 10240000\r\n250 HELP\r
expect ^MAIL
send 250 2.1.0 Ok\r
expect ^RCPT
send 250 2.1.5 Ok\r
expect ^DATA
send 354 End data with <CR><LF>.<CR><LF>\r
expect ^\.$
send 250 2.0.0 Ok: queued as 12345\r
expect ^QUIT
send 221 2.0.0 Bye\r
CHAT
}

# record_client: a client's log of a conversation with smtp-server.py,
# in $T/client.log; the server's bytes in $T/rec.sent.
record_client() {
	bg rec smtp-server.py --port-file "$T/rec.port" --sent "$T/rec.sent"
	port=$(port_of "$T/rec.port")
	run "$SOCKLINE" -o client.log --script client.chat 127.0.0.1 "$port"
	assert_success
	finish "$rec_pid"
	[ "$status" -eq 0 ]
}

# replay NAME ARGS...: sockline -l --replay in the background; sets $port.
replay() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -l 127.0.0.1 0 --port-file "$T/$name.port" "$@"
	port=$(port_of "$T/$name.port")
}

@test "a session recorded with -o against a python server replays to a python client byte for byte" {
	record_client
	replay sl --replay client.log
	run smtp-client.py "$port" --received "$T/cl.received"
	assert_success
	cmp rec.sent cl.received
	finish "$sl_pid"
	[ "$status" -eq 0 ]
}

@test "a replay that receives something else fails with the log's line, word for word" {
	record_client
	replay sl --replay client.log
	run smtp-client.py "$port" --helo other.test
	assert_failure
	finish "$sl_pid"
	[ "$status" -eq 1 ]
	[ "$(cat sl.err)" = 'sockline: client.log:3: expected "EHLO client.test\r\n", got "EHLO other.test\r\n"' ]
}

@test "a replay whose client goes quiet times out after -w, and one whose client leaves says end of stream" {
	record_client
	replay sl -w 0.4 --replay client.log
	bg cl peer.py --connect 127.0.0.1 --port "$port" expect:'220 mx.test ESMTP fake\r\n' send:'EHLO' expect-eof
	finish "$sl_pid"
	[ "$status" -eq 1 ]
	[ "$(cat sl.err)" = 'sockline: client.log:3: expected "EHLO client.test\r\n", got "EHLO"' ]
	replay sl2 -w 0.4 --replay client.log
	run peer.py --connect 127.0.0.1 --port "$port" expect:'220 mx.test ESMTP fake\r\n' expect-eof
	assert_success
	finish "$sl2_pid"
	[ "$status" -eq 1 ]
	[ "$(cat sl2.err)" = 'sockline: client.log:3: timed out after 0.4 s waiting for "EHLO client.test\r\n"' ]
	replay sl3 --replay client.log
	run peer.py --connect 127.0.0.1 --port "$port" expect:'220 mx.test ESMTP fake\r\n' close
	assert_success
	finish "$sl3_pid"
	[ "$status" -eq 1 ]
	[ "$(cat sl3.err)" = 'sockline: client.log:3: expected "EHLO client.test\r\n", got end of stream' ]
}

@test "a listener's log replays as a client that a python server takes for the real one" {
	replay rec -o server.log --script server.chat
	run smtp-client.py "$port" --sent "$T/cl.sent"
	assert_success
	finish "$rec_pid"
	[ "$status" -eq 0 ]
	bg srv smtp-server.py --port-file "$T/srv.port" --received "$T/srv.received"
	port=$(port_of "$T/srv.port")
	run --separate-stderr "$SOCKLINE" --replay server.log 127.0.0.1 "$port"
	assert_success
	[ -z "$stderr" ]
	finish "$srv_pid"
	[ "$status" -eq 0 ]
	cmp cl.sent srv.received
}

@test "records without a newline replay without one, escapes decoded" {
	cat >split.log <<'LOG'
# sockline 0.1.0 session log, 2026-11-21 12:00:00 +0000: tcp to 127.0.0.1 23
2026-11-21 12:00:00.000 < login: \
2026-11-21 12:00:01.000 > bob\r
2026-11-21 12:00:01.100 < tab\there \\ back\x01
LOG
	replay sl --replay split.log
	run peer.py --connect 127.0.0.1 --port "$port" expect:'login: ' send:'bob\r\n' expect:'tab\there \\ back\x01\n' expect-eof
	assert_success
	finish "$sl_pid"
	[ "$status" -eq 0 ]
}

@test "a -k listener's log replays the first client's conversation only" {
	cat >many.log <<'LOG'
# sockline 0.1.0 session log, 2026-11-21 12:00:00 +0000: tcp listening on * 5000
2026-11-21 12:00:00.000 < [127.0.0.1:40000] hello
2026-11-21 12:00:00.010 < [127.0.0.1:40001] other
2026-11-21 12:00:00.020 > [127.0.0.1:40001] not you
2026-11-21 12:00:00.030 > [127.0.0.1:40000] hi there
2026-11-21 12:00:00.040 < [127.0.0.1:40000] [x] bye
LOG
	bg srv peer.py --listen --port-file "$T/srv.port" expect:'hello\n' send:'hi there\n' expect:'[x] bye\n' expect-eof
	port=$(port_of "$T/srv.port")
	run "$SOCKLINE" --replay many.log 127.0.0.1 "$port"
	assert_success
	finish "$srv_pid"
	[ "$status" -eq 0 ]
}

@test "--replay-timing keeps at least the log's pause before each send" {
	cat >slow.log <<'LOG'
# sockline 0.1.0 session log, 2026-11-21 12:00:00 +0000: tcp to 127.0.0.1 25
2026-11-21 12:00:59.500 < first
2026-11-21 12:01:00.300 < second
LOG
	replay sl --replay slow.log --replay-timing
	start=$(now_us)
	run peer.py --connect 127.0.0.1 --port "$port" expect:'first\n' expect:'second\n' expect-eof
	end=$(now_us)
	assert_success
	((end - start >= 800000))
	finish "$sl_pid"
	[ "$status" -eq 0 ]
}

@test "a log of the wrong side, or not a log, is a usage error naming it" {
	cat >client.log <<'LOG'
# sockline 0.1.0 session log, 2026-11-21 12:00:00 +0000: tcp to 127.0.0.1 25
2026-11-21 12:00:00.000 > hello
LOG
	run --separate-stderr "$SOCKLINE" --replay client.log 127.0.0.1 9
	assert_failure 2
	[ "$stderr" = 'sockline: client.log: the log of a client: replay it as a listener (-l)' ]
	sed 's/tcp to 127.0.0.1 25/tcp listening on * 25/' client.log >server.log
	run --separate-stderr "$SOCKLINE" -l 0 --replay server.log
	assert_failure 2
	[ "$stderr" = 'sockline: server.log: the log of a listener: replay it as a client (host port, without -l)' ]
	printf '2026-11-21 12:00:00.000 > fine\nnot a record\n' >junk.log
	run --separate-stderr "$SOCKLINE" -l 0 --replay junk.log
	assert_failure 2
	[ "$stderr" = 'sockline: junk.log:2: not a session log record' ]
	printf '2026-11-21 12:00:00.000 > a\\q\n' >esc.log
	run --separate-stderr "$SOCKLINE" -l 0 --replay esc.log
	assert_failure 2
	[ "$stderr" = 'sockline: esc.log:1: bad escape \q in a record' ]
}
