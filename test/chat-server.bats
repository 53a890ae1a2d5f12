#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --chat: a -k listener relays whole lines, each prefixed "<userN> " with
# N the client's id, control bytes escaped, and tells the others when
# someone joins or leaves (design.md item 22); python clients check it.

load helpers/common

start_chat() {
	bg sl "$SOCKLINE" -v -l --chat "$@" --port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
}

received() {
	(($(grep -c '^Connection received on ' "$T/sl.err") >= $1))
}

@test "three chat clients sending 500 kB of lines at once each get every line of the others, named and in order" {
	start_chat
	bg rc relay-clients.py --chat --clients 3 --bytes 500000 --go "$T/go" 127.0.0.1 "$port"
	wait_until received 3
	touch "$T/go"
	finish "$rc_pid" 60
	cat "$T/rc.err" >&2
	assert_equal "$status" 0
}

@test "a chat client that half-closes is heard, closed, and leaves the others undisturbed" {
	start_chat
	bg rc relay-clients.py --chat --half-close --clients 3 --bytes 200000 --go "$T/go" 127.0.0.1 "$port"
	wait_until received 3
	touch "$T/go"
	finish "$rc_pid" 60
	cat "$T/rc.err" >&2
	assert_equal "$status" 0
}

@test "a chat names newcomers, says who is there, and says when someone leaves" {
	start_chat
	run python3 - "$port" <<'PY'
import re, socket, sys
port = int(sys.argv[1])
def lines(s, n):
    buf = b""
    while buf.count(b"\n") < n:
        d = s.recv(4096)
        assert d, "end of stream after %r" % buf
        buf += d
    return buf.decode().splitlines()
a = socket.create_connection(("127.0.0.1", port), timeout=20)
assert lines(a, 1) == ["<notice> you are user1"]
b = socket.create_connection(("127.0.0.1", port), timeout=20)
bport = b.getsockname()[1]
assert lines(b, 1) == ["<notice> you are user2; also here: user1"]
assert lines(a, 1) == ["<notice> user2 joined from 127.0.0.1 %d" % bport]
c = socket.create_connection(("127.0.0.1", port), timeout=20)
assert lines(c, 1) == ["<notice> you are user3; also here: user1, user2"]
b.close()
assert lines(a, 2) == ["<notice> user3 joined from 127.0.0.1 %d"
                       % c.getsockname()[1], "<notice> user2 left"]
assert lines(c, 1) == ["<notice> user2 left"]
print("ok")
PY
	echo "$output"
	assert_success
	assert_output ok
}

@test "control bytes in a chat line reach the others escaped, UTF-8 stays text, CRLF ends a line" {
	start_chat
	bg b peer.py --connect 127.0.0.1 --port "$port" expect:'<notice> you are user1\n' \
		touch:"$T/b-in" wait-file:"$T/a-in" \
		send:'bell\a esc\x1b[31m del\x7f c1\xc2\x9b h\xc3\xa9llo tab\t\ncrlf\r\ncr\rinside\n' \
		wait-file:"$T/a-done" close
	wait_until test -e "$T/b-in"
	printf '<user1> bell\\a esc\\x1b[31m del\\x7f c1\\xc2\\x9b h\xc3\xa9llo tab\\t\n<user1> crlf\n<user1> cr\\rinside\n' >"$T/want"
	run peer.py --connect 127.0.0.1 --port "$port" \
		expect:'<notice> you are user2; also here: user1\n' touch:"$T/a-in" \
		expect-file:"$T/want" touch:"$T/a-done" close
	assert_success
	finish "$b_pid"
	assert_equal "$status" 0
}

@test "a chat line longer than 4 KiB goes in 4 KiB pieces, and a last line without its end still goes" {
	start_chat
	bg b peer.py --connect 127.0.0.1 --port "$port" expect:'<notice> you are user1\n' \
		touch:"$T/b-in" wait-file:"$T/a-in" \
		send:"$(printf 'x%.0s' $(seq 5000))"'\nlast' close
	wait_until test -e "$T/b-in"
	python3 -c '
import sys
x = "x" * 5000
sys.stdout.write("<user1> %s\n<user1> %s\n<user1> last\n<notice> user1 left\n" % (x[:4096], x[4096:]))' >"$T/want"
	run peer.py --connect 127.0.0.1 --port "$port" \
		expect:'<notice> you are user2; also here: user1\n' touch:"$T/a-in" \
		expect-file:"$T/want" close
	assert_success
	finish "$b_pid"
	assert_equal "$status" 0
}

@test "-m 1 turns a second chat client away while the first stays" {
	start_chat -m 1
	bg a peer.py --connect 127.0.0.1 --port "$port" expect:'<notice> you are user1\n' \
		touch:"$T/a-in" wait-file:"$T/b-done" no-eof-within:200 close
	wait_until test -e "$T/a-in"
	run peer.py --connect 127.0.0.1 --port "$port" expect-eof
	assert_success
	touch "$T/b-done"
	finish "$a_pid"
	assert_equal "$status" 0
	wait_line "$T/sl.err" 'Refused a connection from 127\.0\.0\.1 [0-9]+: 1 client already \(-m\)'
}

@test "--allow keeps a chat to the allowed addresses" {
	start_chat --allow 127.0.0.2
	run peer.py --connect 127.0.0.1 --port "$port" expect-eof
	assert_success
	wait_line "$T/sl.err" 'Refused a connection from 127\.0\.0\.1 [0-9]+: not allowed'
}

@test "--broker --chat is a chat, and -k is implied" {
	bg sl "$SOCKLINE" -l --broker --chat --port-file "$T/port" 127.0.0.1 0
	port=$(port_of "$T/port")
	run peer.py --connect 127.0.0.1 --port "$port" expect:'<notice> you are user1\n' close
	assert_success
	run peer.py --connect 127.0.0.1 --port "$port" expect:'<notice> you are user2\n' close
	assert_success
}
