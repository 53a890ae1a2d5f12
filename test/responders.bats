#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --echo, --upper, --reply, -e and -c as the fake servers of test suites
# (design.md item 13), over TCP, UDP and unix sockets.

load helpers/common

# listen NAME ARGS...: a background listener; sets $port (or waits for
# the unix path when -U is among ARGS).
listen() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -v -l "$@" --port-file "$T/$name.port"
	port=$(port_of "$T/$name.port")
}

listen_unix() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -v -l -U "$@"
	wait_line "$T/$name.err" '^Listening on '
}

@test "--reply Hi answers a client that sends hello! with no newline and waits" {
	listen sl 127.0.0.1 0 --reply Hi
	run peer.py --connect 127.0.0.1 --port "$port" send:'hello!' expect:'Hi' close
	assert_success
}

@test "--upper answers hello! with HELLO!" {
	listen sl 127.0.0.1 0 --upper
	run peer.py --connect 127.0.0.1 --port "$port" send:'hello!' expect:'HELLO!' close
	assert_success
}

@test "a UDP client that sends hello to -l -u --reply OK gets OK" {
	listen sl -u 127.0.0.1 0 --reply OK
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'hello' expect:'OK'
	assert_success
}

@test "--reply answers each line once, decodes its escapes and appends nothing" {
	listen sl 127.0.0.1 0 --reply 'A\tB\\\r\n\x41'
	run peer.py --connect 127.0.0.1 --port "$port" send:'one\ntwo\n' \
		expect:'A\tB\\\r\nAA\tB\\\r\nA' close
	assert_success
}

@test "a bad --reply escape is a usage error" {
	for r in 'a\q' '\x4' '\xzz' 'end\'; do
		run --separate-stderr "$SOCKLINE" -l 0 --reply "$r"
		assert_failure 2
		[[ "$stderr" == "sockline: --reply "* ]]
	done
}

@test "every responder works over TCP, UDP, unix stream and unix datagram" {
	for transport in tcp udp unix unixgram; do
		for r in "--echo:ping:ping" "--upper:ping:PING" "--reply=pong\\n:ping:pong" \
		    "-e=cat:ping:ping" "-c=while read l; do echo \"\$l\" | tr a-z A-Z; done:ping:PING"; do
			opt=${r%%:*} rest=${r#*:} send=${rest%%:*} want=${rest#*:}
			args=("${opt%%=*}")
			[[ "$opt" == *=* ]] && args+=("${opt#*=}")
			rm -f "$T/sl.port" "$T/sl.err" "$T/s"
			case $transport in
			tcp) listen sl 127.0.0.1 0 "${args[@]}"
				run peer.py --connect 127.0.0.1 --port "$port" send:"$send\\n" \
					expect:"$want\\n" shutdown expect-eof ;;
			udp) listen sl -u 127.0.0.1 0 "${args[@]}"
				run peer.py --udp --connect 127.0.0.1 --port "$port" send:"$send\\n" \
					expect:"$want\\n" ;;
			unix) listen_unix sl "$T/s" "${args[@]}"
				run peer.py --unix "$T/s" send:"$send\\n" expect:"$want\\n" \
					shutdown expect-eof ;;
			unixgram) listen_unix sl -u "$T/s" "${args[@]}"
				run peer.py --udp --unix "$T/s" send:"$send\\n" expect:"$want\\n" ;;
			esac
			[ "$status" -eq 0 ] || fail "$opt over $transport: $output"
			# What the responder received is still shown locally.
			wait_line "$T/sl.out" "^$send\$"
			kill "$sl_pid" 2>/dev/null || true
			finish "$sl_pid"
		done
	done
}

@test "with -C every responder's and program's answer has CRLF line ends over TCP, an existing CRLF kept" {
	for r in "--echo" "--upper" "--reply=ok\\n" "-e=cat" "-c=printf 'ABC\\n'; exec cat"; do
		args=("${r%%=*}")
		[[ "$r" == *=* ]] && args+=("${r#*=}")
		rm -f "$T/sl.port" "$T/sl.err"
		listen sl -C 127.0.0.1 0 "${args[@]}"
		# A CR that ends one read and the LF that starts the next are
		# one CRLF: the LF gets no second CR.
		case $r in
		--echo) steps=(send:'a\nb\r\nx\r' expect:'a\r\nb\r\nx\r' send:'\ny\n'
			expect:'\ny\r\n') ;;
		--upper) steps=(send:'a\nb\r\n' expect:'A\r\nB\r\n') ;;
		--reply*) steps=(send:'one\ntwo\n' expect:'ok\r\nok\r\n') ;;
		-e*) steps=(send:'a\nb\r\n' expect:'a\r\nb\r\n') ;;
		-c*) steps=(expect:'ABC\r\n' send:'a\n' expect:'a\r\n') ;;
		esac
		run peer.py --connect 127.0.0.1 --port "$port" "${steps[@]}" shutdown expect-eof
		[ "$status" -eq 0 ] || fail "-C $r: $output"
		kill "$sl_pid" 2>/dev/null || true
		finish "$sl_pid"
	done
}

@test "with -C every responder's and program's answer datagram has CRLF line ends" {
	for r in "--echo" "--upper" "--reply=ok\\n" "-c=read l; echo \"\$l!\"; echo two"; do
		args=("${r%%=*}")
		[[ "$r" == *=* ]] && args+=("${r#*=}")
		rm -f "$T/sl.port" "$T/sl.err"
		listen sl -C -u 127.0.0.1 0 "${args[@]}"
		case $r in
		--echo) steps=(send:'a\nb\r\n' expect:'a\r\nb\r\n') ;;
		--upper) steps=(send:'a\nb' expect:'A\r\nB') ;;
		--reply*) steps=(send:'one' expect:'ok\r\n') ;;
		# A program's output: one datagram per line.
		-c*) steps=(send:'hi\n' expect:'hi!\r\n' expect:'two\r\n') ;;
		esac
		run peer.py --udp --connect 127.0.0.1 --port "$port" "${steps[@]}"
		[ "$status" -eq 0 ] || fail "-C -u $r: $output"
		kill "$sl_pid" 2>/dev/null || true
		finish "$sl_pid"
	done
}

@test "with -C the session log shows the answer as sent, in CRLF" {
	bg sl "$SOCKLINE" -l -C --echo -o "$T/log" 127.0.0.1 0 --port-file "$T/sl.port"
	port=$(port_of "$T/sl.port")
	run peer.py --connect 127.0.0.1 --port "$port" send:'hi\n' expect:'hi\r\n' shutdown expect-eof
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	grep -E '^[0-9-]+ [0-9:.]+ > hi\\r$' "$T/log" || fail "$(cat "$T/log")"
}

@test "a responder in the background with stdin at /dev/null never half-closes its clients" {
	listen sl 127.0.0.1 0 --echo
	run peer.py --connect 127.0.0.1 --port "$port" no-eof-within:300 \
		send:'late\n' expect:'late\n' close
	assert_success
}

# both_done: clients a and b both ended, and both succeeded.
both_done() {
	finish "$a_pid"
	assert_equal "$status" 0
	finish "$b_pid"
	assert_equal "$status" 0
}

@test "-k --upper answers each of its clients, partial lines too" {
	listen sl -k 127.0.0.1 0 --upper
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'hello!' expect:'HELLO!' \
		touch:"$T/a1" wait-file:"$T/b1" send:' more from a\n' expect:' MORE FROM A\n' close
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'from b\n' expect:'FROM B\n' \
		touch:"$T/b1" wait-file:"$T/a1" send:'b again' expect:'B AGAIN' close
	both_done
	# Shown locally too (a partial line once it paused: see MANY CLIENTS).
	wait_line "$T/sl.out" 'hello!'
	wait_line "$T/sl.out" ' more from a$'
	wait_line "$T/sl.out" 'from b$'
}

@test "-k --reply answers each message of each client, a line or bytes then a pause" {
	listen sl -k 127.0.0.1 0 --reply 'ok\n'
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a line\n' expect:'ok\n' \
		touch:"$T/a1" wait-file:"$T/b1" send:'a partial' expect:'ok\n' close
	# b's partial line only once a's line is out: a partial line shown
	# after its pause may run into another client's next line.
	bg b peer.py --connect 127.0.0.1 --port "$port" wait-file:"$T/a1" \
		send:'b partial' expect:'ok\n' touch:"$T/b1" \
		send:'b line\nb two\n' expect:'ok\nok\n' close
	both_done
	wait_line "$T/sl.out" '^a line$'
	wait_line "$T/sl.out" 'b partial'
}

@test "-k -e runs a program per client, each talking only to its own client" {
	listen sl -k 127.0.0.1 0 -e cat
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a1\n' expect:'a1\n' \
		touch:"$T/a1" wait-file:"$T/b1" send:'a2\n' expect:'a2\n' shutdown expect-eof
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b1\n' expect:'b1\n' \
		touch:"$T/b1" wait-file:"$T/a1" send:'b2\n' expect:'b2\n' shutdown expect-eof
	both_done
	for l in a1 a2 b1 b2; do
		wait_line "$T/sl.out" "^$l\$"
	done
	# Each program exited with its client's end; the listener goes on.
	kill -0 "$sl_pid"
}

@test "-e runs a program per client with the SOCKLINE_ variables in its environment" {
	listen sl -k 127.0.0.1 0 -e 'sh -c "echo $SOCKLINE_REMOTE_ADDR $SOCKLINE_REMOTE_PORT $SOCKLINE_LOCAL_ADDR $SOCKLINE_LOCAL_PORT $SOCKLINE_PROTO"'
	run peer.py --connect 127.0.0.1 --port "$port" recv-all:"$T/env"
	assert_success
	read -r raddr rport laddr lport proto <"$T/env"
	assert_equal "$raddr" 127.0.0.1
	[[ "$rport" =~ ^[0-9]+$ ]] && ((rport != port))
	assert_equal "$laddr" 127.0.0.1
	assert_equal "$lport" "$port"
	assert_equal "$proto" tcp
	run peer.py --connect 127.0.0.1 --port "$port" recv-all:"$T/env2"
	assert_success
	[ -s "$T/env2" ]
}

@test "-e splits its command without a shell: metacharacters stay literal" {
	listen sl 127.0.0.1 0 -e 'printf %s|%s "$HOME;ls" a\ b'
	run peer.py --connect 127.0.0.1 --port "$port" expect:'$HOME;ls|a b' expect-eof
	assert_success
}

@test "-e splits words as a POSIX shell does: inside double quotes a backslash before a dot stays" {
	# Nothing in these words expands, so /bin/sh says what they are.
	local words='"a\.b" "\$x \"q\" \\ \` \n" '"'c\\d'"' e\.f "g\
h" i\
j'
	local want
	want=$(sh -c "printf '%s|' $words")
	[ "$want" = 'a\.b|$x "q" \ ` \n|c\d|e.f|gh|ij|' ] || fail "sh gave: $want"
	listen sl 127.0.0.1 0 -e "printf %s| $words"
	run peer.py --connect 127.0.0.1 --port "$port" recv-all:"$T/got"
	assert_success
	assert_equal "$(cat "$T/got")" "$want"
}

@test "-c goes through /bin/sh" {
	listen sl 127.0.0.1 0 -c 'echo "$((6 * 7))"; read l; echo "got $l"'
	run peer.py --connect 127.0.0.1 --port "$port" expect:'42\n' send:'x\n' \
		expect:'got x\n' expect-eof
	assert_success
}

@test "the program's exit closes its client" {
	listen sl 127.0.0.1 0 -e 'echo only this'
	run peer.py --connect 127.0.0.1 --port "$port" expect:'only this\n' expect-eof
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "a program's output is not lost when the client half-closes first" {
	listen sl 127.0.0.1 0 -c 'cat; sleep 0.3; echo after the end'
	run peer.py --connect 127.0.0.1 --port "$port" send:'data\n' shutdown \
		expect:'data\nafter the end\n' expect-eof
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "a program that cannot be started closes its client with a message" {
	listen sl -k 127.0.0.1 0 -e '/nonexistent/program'
	run peer.py --connect 127.0.0.1 --port "$port" expect-eof
	assert_success
	wait_line "$T/sl.err" 'cannot run /nonexistent/program'
	kill -0 "$sl_pid"
}

two_programs() {
	[ "$(pgrep -c -P "$sl_pid" sleep)" -eq 2 ]
}

@test "no program is left running when a -k listener with clients is stopped" {
	listen sl -k 127.0.0.1 0 -e 'sleep 1000'
	bg c1 peer.py --connect 127.0.0.1 --port "$port" wait-file:"$T/never"
	bg c2 peer.py --connect 127.0.0.1 --port "$port" wait-file:"$T/never"
	wait_until two_programs
	kids=$(pgrep -P "$sl_pid" sleep)
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 143
	# Stopped and collected before sockline itself exited.
	for k in $kids; do
		! kill -0 "$k" 2>/dev/null || fail "program $k is still running"
	done
}

# grandchild: true once the -c shell (the child of sockline) has started
# its own child; sets gpid.
grandchild() {
	local sh
	sh=$(pgrep -P "$sl_pid") || return 1
	gpid=$(pgrep -P "$sh") || return 1
}

@test "what a -c program started is stopped too when the listener is" {
	listen sl -k 127.0.0.1 0 -c 'sleep 1000; echo never'
	bg c1 peer.py --connect 127.0.0.1 --port "$port" wait-file:"$T/never"
	wait_until grandchild
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 143
	# The shell's sleep shared its process group, so it got SIGTERM too.
	wait_until gone "$gpid"
}

@test "each UDP sender gets its own program with -e" {
	listen sl -u 127.0.0.1 0 -e 'sh -c "read l; echo \"$SOCKLINE_PROTO $l\""'
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'a\n' expect:'udp a\n'
	assert_success
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'b\n' expect:'udp b\n'
	assert_success
}

@test "-m caps the programs of a UDP -e listener; a new sender beyond it is dropped" {
	listen sl -m 3 -u 127.0.0.1 0 -c "echo started >>'$T/started'; exec cat"
	for i in 1 2 3; do
		run peer.py --udp --connect 127.0.0.1 --port "$port" send:"s$i\\n" expect:"s$i\\n"
		assert_success
	done
	for i in 4 5 6; do
		run peer.py --udp --connect 127.0.0.1 --port "$port" send:"s$i\\n" no-dgram-within:200
		assert_success
	done
	run wc -l <"$T/started"
	assert_output 3
	run grep -c 's[456]' "$T/sl.out"
	assert_output 0
	# -v says so, at most once a second: here at least once.
	wait_line "$T/sl.err" '^Refused a datagram from 127\.0\.0\.1 [0-9]+: 3 programs already running \(-m\)'
	kill -0 "$sl_pid"
}

# read_pipes: how many pipes the listener has open for reading.
read_pipes() {
	ls -l "/proc/$sl_pid/fd" | grep -c '^lr.*pipe:' || true
}

# The listener has closed the first program's output pipe.
output_closed() {
	(($(read_pipes) == before))
}

@test "a UDP sender's program that has ended no longer counts against -m" {
	listen sl -m 1 -u 127.0.0.1 0 -e 'head -n 1'
	before=$(read_pipes)
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'a\n' expect:'a\n'
	assert_success
	wait_until output_closed
	run peer.py --udp --connect 127.0.0.1 --port "$port" send:'b\n' expect:'b\n'
	assert_success
}

@test "responders are for listening only" {
	run --separate-stderr "$SOCKLINE" --echo 127.0.0.1 80
	assert_failure 2
	run --separate-stderr "$SOCKLINE" -l 0 --echo --upper
	assert_failure 2
	run --separate-stderr "$SOCKLINE" -l 0 -e ''
	assert_failure 2
	run --separate-stderr "$SOCKLINE" -l 0 -e 'unbalanced "quote'
	assert_failure 2
}

@test "a sender that cannot be answered does not stop a datagram listener with a responder" {
	bg sl "$SOCKLINE" -v -l -U -u "$T/d" --echo
	wait_line "$T/sl.err" '^Listening on '
	# An unbound unix datagram socket has no address to answer to.
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"from nowhere\n", sys.argv[1])' "$T/d"
	wait_line "$T/sl.out" '^from nowhere$'
	run peer.py --udp --unix "$T/d" send:'still there?\n' expect:'still there?\n'
	assert_success
	kill -0 "$sl_pid"
}
