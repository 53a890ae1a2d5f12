#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --script FILE on a client (design.md item 22): a chat script holds the
# conversation with an independent python SMTP server, and a reply that
# is not the one expected fails with the script's file and line.

load helpers/common

# smtp NAME ARGS...: a fake SMTP server in the background; sets $port.
smtp() {
	local name=$1
	shift
	bg "$name" smtp-server.py --port-file "$T/$name.port" \
		--sent "$T/$name.sent" --received "$T/$name.received" "$@"
	port=$(port_of "$T/$name.port")
}

setup() {
	cd "$T"
	cat >mail.chat <<'CHAT'
# One message to bob, as a mail client sends it.
expect ^220 
send EHLO client.test\r
expect ^250 
send MAIL FROM:<alice@client.test>\r
expect ^250
send RCPT TO:<bob@mx.test>\r
expect ^250
send DATA\r
expect ^354
send Subject: hi\r\n\r\nHello Bob.\r\n.\r
expect ^250 2\.0\.0 Ok: queued
send QUIT\r
expect ^221
expect-eof
CHAT
}

@test "a client script holds a whole SMTP conversation with a python server and exits 0" {
	smtp srv
	run --separate-stderr "$SOCKLINE" --script mail.chat 127.0.0.1 "$port"
	assert_success
	[ -z "$stderr" ]
	finish "$srv_pid"
	[ "$status" -eq 0 ]
	# The server got exactly the script's sends, in order.
	printf 'EHLO client.test\r\nMAIL FROM:<alice@client.test>\r\nRCPT TO:<bob@mx.test>\r\nDATA\r\nSubject: hi\r\n\r\nHello Bob.\r\n.\r\nQUIT\r\n' >want
	cmp want srv.received
	# What the server said is still shown on stdout, as received.
	printf '%s\n' "$output" | tr -d '\r' >shown
	tr -d '\r' <srv.sent | cmp - shown
}

@test "an expect that only gets a 550 fails at its line with the reply, word for word" {
	smtp srv --reject-rcpt bob@mx.test
	run --separate-stderr "$SOCKLINE" -w 0.5 --script mail.chat 127.0.0.1 "$port"
	assert_failure 1
	[ "$stderr" = 'sockline: mail.chat:8: expected /^250/, got "550 5.1.1 <bob@mx.test>: Recipient address rejected"' ]
}

@test "an expect that gets nothing times out after -w seconds and says so" {
	smtp srv --stall
	run --separate-stderr "$SOCKLINE" -w 0.5 --script mail.chat 127.0.0.1 "$port"
	assert_failure 1
	[ "$stderr" = 'sockline: mail.chat:4: timed out after 0.5 s waiting for /^250 /' ]
}

# (Nothing is sent after the greeting: a send to a server that has
# closed may be answered with a reset, a different failure.)
@test "an expect that meets the end of stream says got end of stream" {
	smtp srv --close-after-greeting
	printf '# The greeting, then the end.\nexpect ^220 \nexpect ^250 \n' >eof.chat
	run --separate-stderr "$SOCKLINE" --script eof.chat 127.0.0.1 "$port"
	assert_failure 1
	[ "$stderr" = 'sockline: eof.chat:3: expected /^250 /, got end of stream' ]
}

@test "a line passed over, then the end of stream: both are in the message" {
	printf 'send HELO me\\r\nexpect ^250\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" expect:'HELO me\r\n' send:'500 no\r\n' close
	port=$(port_of "$T/srv.port")
	run --separate-stderr "$SOCKLINE" --script s.chat 127.0.0.1 "$port"
	assert_failure 1
	[ "$stderr" = 'sockline: s.chat:2: expected /^250/, got "500 no", then end of stream' ]
}

@test "the file is named as given on the command line" {
	smtp srv --close-after-greeting
	mkdir sub
	printf 'expect ^220 \nexpect ^250 \n' >sub/eof.chat
	run --separate-stderr "$SOCKLINE" --script ./sub/eof.chat 127.0.0.1 "$port"
	assert_failure 1
	[ "$stderr" = 'sockline: ./sub/eof.chat:2: expected /^250 /, got end of stream' ]
}

@test "send ending in \\c adds no newline, and expect-eof passes when the server closes" {
	printf 'send one\\c\nsend \\ttwo\\x21\nexpect-eof\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" expect:'one\ttwo!\n' send:'bye\n' close
	port=$(port_of "$T/srv.port")
	run --separate-stderr "$SOCKLINE" --script s.chat 127.0.0.1 "$port"
	assert_success
	[ "$output" = bye ]
	finish "$srv_pid"
	[ "$status" -eq 0 ]
}

@test "the script's bytes arrive exactly: escapes decoded, a newline after each send" {
	printf 'send a\\\\b\\r\nsend \nsend end\\c\nclose\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" recv-all:"$T/got"
	port=$(port_of "$T/srv.port")
	run "$SOCKLINE" --script s.chat 127.0.0.1 "$port"
	assert_success
	finish "$srv_pid"
	printf 'a\\b\r\n\nend' | cmp - got
}

@test "-C makes the newline a send adds, and its own line ends, CRLF" {
	printf 'send one\\ntwo\nclose\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" recv-all:"$T/got"
	port=$(port_of "$T/srv.port")
	run "$SOCKLINE" -C --script s.chat 127.0.0.1 "$port"
	assert_success
	finish "$srv_pid"
	printf 'one\r\ntwo\r\n' | cmp - got
}

@test "close ends the script and the connection at once; later steps never run" {
	printf 'send first\nclose\nsend never\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" recv-all:"$T/got"
	port=$(port_of "$T/srv.port")
	run "$SOCKLINE" --script s.chat 127.0.0.1 "$port"
	assert_success
	finish "$srv_pid"
	[ "$status" -eq 0 ]
	printf 'first\n' | cmp - got
}

@test "sleep pauses the script for at least its seconds" {
	printf 'send a\nsleep 0.6\nsend b\nclose\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" recv-all:"$T/got"
	port=$(port_of "$T/srv.port")
	start=$(now_us)
	run "$SOCKLINE" --script s.chat 127.0.0.1 "$port"
	end=$(now_us)
	assert_success
	((end - start >= 600000))
	finish "$srv_pid"
	printf 'a\nb\n' | cmp - got
}

@test "a scripted client reads no stdin: what is piped in is never sent" {
	printf 'send scripted\nclose\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" recv-all:"$T/got"
	port=$(port_of "$T/srv.port")
	run bash -c 'echo typed | "$1" --script s.chat 127.0.0.1 "$2"' _ "$SOCKLINE" "$port"
	assert_success
	finish "$srv_pid"
	printf 'scripted\n' | cmp - got
}

@test "received lines are matched one by one, a partial line that pauses counts, and -o logs both ways" {
	printf 'expect ^two$\nexpect ^login: $\nsend bob\nexpect-eof\n' >s.chat
	bg srv peer.py --listen --port-file "$T/srv.port" send:'one\r\ntwo\r\nthree\nlogin: ' expect:'bob\n' close
	port=$(port_of "$T/srv.port")
	run --separate-stderr "$SOCKLINE" -o log --script s.chat 127.0.0.1 "$port"
	assert_success
	[ "$output" = $'one\r\ntwo\r\nthree\nlogin: ' ]
	grep -q ' < two\\r$' log
	grep -q ' > bob$' log
}

@test "a mistake in the script is a usage error with its file and line, and no connection" {
	# The first connection the peer takes must be the good run's.
	bg srv peer.py --listen --port-file "$T/srv.port" expect:'ok\n' expect-eof
	port=$(port_of "$T/srv.port")
	while IFS='|' read -r text message; do
		printf '# comment\n\nsend ok\n%s\n' "$text" >bad.chat
		run --separate-stderr "$SOCKLINE" --script bad.chat 127.0.0.1 "$port"
		assert_failure 2
		[ "$stderr" = "sockline: bad.chat:4: $message" ] ||
			fail "for '$text': $stderr"
	done <<'ROWS'
sned hello|unknown command "sned" (known: send, expect, expect-eof, sleep, close)
expect (unclosed|bad regular expression /(unclosed/: Unmatched ( or \(
expect|expect needs a regular expression
send a\q|unknown escape \q (known: \n \r \t \\ \xHH)
send \x4|\x needs two hex digits
sleep soon|sleep soon: not a number of seconds
sleep|sleep needs a number of seconds
expect-eof now|expect-eof takes no argument
close now|close takes no argument
expect (a+)+{9}{9}{9}|regular expression /(a+)+{9}{9}{9}/ too large: its repetitions would make more than 2048 copies
ROWS
	printf 'send ok\nclose\n' >good.chat
	run "$SOCKLINE" --script good.chat 127.0.0.1 "$port"
	assert_success
	finish "$srv_pid"
	[ "$status" -eq 0 ]
}

@test "a script file that cannot be read is a usage error" {
	run --separate-stderr "$SOCKLINE" --script "$T/none.chat" 127.0.0.1 9
	assert_failure 2
	[ "$stderr" = "sockline: --script $T/none.chat: No such file or directory (see 'sockline --help')" ]
}
