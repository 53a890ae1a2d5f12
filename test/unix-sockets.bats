#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Unix stream and datagram sockets, abstract names, and the socket-file
# rules of design.md item 9.

load helpers/common

@test "a unix stream client exchanges lines with a python server" {
	bg srv peer.py --unix "$T/s" --listen --port-file "$T/ready" \
		send:'hello unix\n' expect:'hi\n' expect-eof
	wait_file "$T/ready"
	run --separate-stderr timeout 10 bash -c 'printf "hi\n" | "$0" -U "$1"' "$SOCKLINE" "$T/s"
	assert_success
	assert_output "hello unix"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a unix stream listener serves a python client and removes its socket at exit" {
	printf 'welcome\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -l "$T/s"
	wait_line "$T/sl.err" "^Listening on $T/s\$"
	[ -S "$T/s" ]
	run peer.py --unix "$T/s" expect:'welcome\n' send:'thanks\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "thanks"
	[ ! -e "$T/s" ]
}

@test "a unix datagram client gets replies from a python server" {
	bg srv peer.py --udp --unix "$T/d" --listen --port-file "$T/ready" \
		expect:'ping\n' send:'pong\n'
	wait_file "$T/ready"
	run --separate-stderr timeout 10 bash -c 'printf "ping\n" | "$0" -U -u "$1"' "$SOCKLINE" "$T/d"
	assert_success
	assert_output "pong"
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a unix datagram listener answers a python client" {
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -u -l "$T/d"
	exec 4>"$T/in"
	wait_line "$T/sl.err" "^Listening on $T/d\$"
	bg cl peer.py --udp --unix "$T/d" send:'question\n' expect:'answer\n'
	wait_line "$T/sl.out" '^question$'
	printf 'answer\n' >&4
	finish "$cl_pid"
	assert_equal "$status" 0
	exec 4>&-
	kill "$sl_pid"
	finish "$sl_pid"
	[ ! -e "$T/d" ]
}

@test "abstract unix names work for stream and datagram sockets and leave no file" {
	name="@sockline-test-$$-$BATS_TEST_NUMBER"
	printf 'abstract hello\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -l "$name"
	wait_line "$T/sl.err" "^Listening on $name\$"
	run peer.py --unix "$name" expect:'abstract hello\n' send:'ok\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "ok"

	bg srv peer.py --udp --unix "$name-d" --listen --port-file "$T/ready" \
		expect:'dg\n' send:'dg ok\n'
	wait_file "$T/ready"
	run --separate-stderr timeout 10 bash -c 'cd "$2" && printf "dg\n" | "$0" -U -u "$1"' \
		"$SOCKLINE" "$name-d" "$T"
	assert_success
	assert_output "dg ok"
	[ ! -e "$T/$name" ] && [ ! -e "$T/$name-d" ]
}

@test "an abstract name may fill the whole of sun_path: @ and 107 bytes work, 108 do not" {
	base="sockline-$$-$BATS_TEST_NUMBER-"
	fill=$(head -c $((107 - ${#base})) /dev/zero | tr '\0' y)
	name="@$base$fill"
	[ "${#name}" -eq 108 ]
	printf 'full name\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -l "$name"
	wait_line "$T/sl.err" "^Listening on $name\$"
	run peer.py --unix "$name" expect:'full name\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	run --separate-stderr timeout 5 "$SOCKLINE" -U -l "${name}z" </dev/null
	assert_failure 2
	assert_equal "$stderr" "sockline: ${name}z: File name too long (a unix socket name, with its @, holds at most 108 bytes) (see 'sockline --help')"
}

# A path of exactly n bytes under $T.
path_of_length() {
	local n=$1 dir="$T/p"
	mkdir -p "$dir"
	local fill=$((n - ${#dir} - 1))
	printf '%s/%s' "$dir" "$(head -c "$fill" /dev/zero | tr '\0' x)"
}

@test "a 107-byte unix path works and a 108-byte one fails with File name too long, creating nothing" {
	p107=$(path_of_length 107)
	p108=$(path_of_length 108)
	[ "${#p107}" -eq 107 ] && [ "${#p108}" -eq 108 ]
	printf 'long\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -U -l "$p107"
	wait_until test -S "$p107"
	run peer.py --unix "$p107" expect:'long\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0

	run --separate-stderr timeout 5 "$SOCKLINE" -U -l "$p108" </dev/null
	assert_failure 2
	[[ "$stderr" == *"File name too long"* ]]
	run --separate-stderr timeout 5 "$SOCKLINE" -U "$p108" </dev/null
	assert_failure 2
	[[ "$stderr" == *"File name too long"* ]]
	[ ! -e "$p108" ]
	[ ! -e "${p108:0:107}" ]
}

@test "a stale socket file is replaced by a new listener" {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/s"
	[ -S "$T/s" ]
	printf 'fresh\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -l "$T/s"
	wait_line "$T/sl.err" '^Listening on '
	run peer.py --unix "$T/s" expect:'fresh\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "a live socket is left alone: Address already in use, exit 1, and its server sees only a connection that ends at once" {
	# Whether the socket is live is asked by connecting to it, once.
	bg srv peer.py --unix "$T/s" --listen --port-file "$T/ready" expect-eof touch:"$T/probed"
	wait_file "$T/ready"
	run --separate-stderr timeout 5 "$SOCKLINE" -U -l "$T/s" </dev/null
	assert_failure 1
	[[ "$stderr" == *"Address already in use"* ]]
	[ -S "$T/s" ]
	finish "$srv_pid"
	assert_equal "$status" 0
	[ -e "$T/probed" ]
	[ -S "$T/s" ]
}

@test "a file that is not a socket is never touched" {
	printf 'precious\n' >"$T/f"
	run --separate-stderr timeout 5 "$SOCKLINE" -U -l "$T/f" </dev/null
	assert_failure 1
	[[ "$stderr" == *"not a socket"* ]]
	assert_equal "$(cat "$T/f")" "precious"
	run --separate-stderr timeout 5 "$SOCKLINE" -U -u -l "$T/f" </dev/null
	assert_failure 1
	assert_equal "$(cat "$T/f")" "precious"
}

@test "the socket file is removed when the listener ends by SIGINT, SIGTERM or SIGHUP" {
	for sig in INT TERM HUP; do
		for udp in "" -u; do
			rm -f "$T/sl.err"
			bg sl "$SOCKLINE" -v $udp -U -l "$T/s-$sig$udp"
			wait_line "$T/sl.err" '^Listening on '
			[ -S "$T/s-$sig$udp" ]
			kill -"$sig" "$sl_pid"
			finish "$sl_pid"
			[ "$status" -eq $((128 + $(kill -l "$sig"))) ] || fail "$sig: exit $status"
			[ ! -e "$T/s-$sig$udp" ] || fail "socket left after SIG$sig ($udp)"
		done
	done
}

@test "a unix datagram client leaves no file behind, even when killed" {
	bg srv peer.py --udp --unix "$T/d" --listen --port-file "$T/ready" \
		expect:'hi\n' sender-file:"$T/sender" send:'hello\n'
	wait_file "$T/ready"
	mkdir "$T/cwd" "$T/tmp"
	hold_open "$T/in"
	bg sl bash -c 'cd "$2" && exec env TMPDIR="$3" "$0" -U -u "$1" <"$4"' \
		"$SOCKLINE" "$T/d" "$T/cwd" "$T/tmp" "$T/in"
	printf 'hi\n' >"$T/in"
	wait_line "$T/sl.out" '^hello$'
	# The kernel named the client (abstract, so it could be answered).
	run cat "$T/sender"
	assert_output --regexp '^@'
	kill -KILL "$sl_pid"
	finish "$sl_pid"
	run ls -A "$T/cwd" "$T/tmp"
	refute_output --regexp '[^:]$'
}

@test "-s binds a unix datagram client to a chosen path, removed at exit" {
	bg srv peer.py --udp --unix "$T/d" --listen --port-file "$T/ready" \
		expect:'from s\n' sender-file:"$T/sender" send:'back\n'
	wait_file "$T/ready"
	run --separate-stderr timeout 10 bash -c 'printf "from s\n" | "$0" -U -u -s "$2" "$1"' \
		"$SOCKLINE" "$T/d" "$T/me"
	assert_success
	assert_output "back"
	assert_equal "$(cat "$T/sender")" "$T/me"
	[ ! -e "$T/me" ]
}

@test "a second client is refused by a one-shot listener, and after it exits the path is gone" {
	hold_open "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -U -l "$T/s"
	wait_line "$T/sl.err" '^Listening on '
	bg first peer.py --unix "$T/s" send:'first\n' wait-file:"$T/done"
	wait_line "$T/sl.out" '^first$'
	run --separate-stderr timeout 5 "$SOCKLINE" -U "$T/s" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: connect to $T/s (unix) failed: Connection refused"
	touch "$T/done"
	finish "$first_pid"
	finish "$sl_pid"
	assert_equal "$status" 0
	run --separate-stderr timeout 5 "$SOCKLINE" -U "$T/s" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: connect to $T/s (unix) failed: No such file or directory"
}
