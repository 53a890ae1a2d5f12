#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Data exchanged over TCP with independent python peers, both ways,
# over IPv4 and IPv6, byte for byte.

load helpers/common

# A server peer greets and expects a command; sockline is the client.
client_exchange() {
	local host=$1 fam=$2
	bg srv peer.py --listen $fam --port-file "$T/port" \
		send:'greeting\n' expect:'command\n' expect-eof
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 bash -c \
		'printf "command\n" | "$0" "$1" "$2"' "$SOCKLINE" "$host" "$port"
	assert_success
	assert_output "greeting"
	finish "$srv_pid"
	assert_equal "$status" 0
}

# sockline listens; a client peer greets and expects a command.
listen_exchange() {
	local host=$1 fam=$2
	printf 'command\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -l "$host" 0
	port=$(listening_port sl)
	run peer.py --connect "$host" --port "$port" \
		send:'greeting\n' expect:'command\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "greeting"
}

@test "a client prints the greeting of a server on 127.0.0.1 and sends its command" {
	client_exchange 127.0.0.1 -4
}

@test "a client prints the greeting of a server on ::1 and sends its command" {
	client_exchange ::1 -6
}

@test "a listener on 127.0.0.1 prints a client's greeting and sends its command" {
	listen_exchange 127.0.0.1
}

@test "a listener on ::1 prints a client's greeting and sends its command" {
	listen_exchange ::1
}

@test "2 MiB of every byte value and random bytes come back from an echo peer identical" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4096)' >"$T/data"
	head -c 1048576 /dev/urandom >>"$T/data"
	bg srv peer.py --listen --port-file "$T/port" echo
	port=$(port_of "$T/port")
	run timeout 20 bash -c '"$0" 127.0.0.1 "$1" <"$2" >"$3"' \
		"$SOCKLINE" "$port" "$T/data" "$T/back"
	assert_success
	cmp "$T/data" "$T/back"
}

@test "a peer that answers only after end of input gets 4097 bytes whole, 50 times in a row" {
	head -c 4097 /dev/urandom >"$T/payload"
	for i in $(seq 50); do
		rm -f "$T/port"
		bg srv peer.py --listen --port-file "$T/port" count-reply
		port=$(port_of "$T/port")
		run --separate-stderr timeout 10 "$SOCKLINE" 127.0.0.1 "$port" <"$T/payload"
		assert_success
		assert_output "4097"
		finish "$srv_pid"
		assert_equal "$status" 0
	done
}

# In a namespace of our own where localhost is ::1 first, then 127.0.0.1.
localhost_reaches() {
	local fam=$1 want=$2
	netns_or_skip
	run --separate-stderr in_netns "
		peer.py --listen $fam --port-file \$T/port send:'$want\\n' expect-eof &
		wait_file \$T/port || exit 98
		timeout 10 \$SOCKLINE localhost \$(cat \$T/port) </dev/null
		rc=\$?
		wait
		exit \$rc"
	assert_success
	assert_output "$want"
}

@test "localhost reaches a server bound only on 127.0.0.1 even when ::1 comes first" {
	localhost_reaches -4 v4
}

@test "localhost reaches a server bound only on ::1" {
	localhost_reaches -6 v6
}

@test "a service name is accepted as the port, listening and connecting" {
	grep -qE '^http[[:space:]]+80/tcp' /etc/services ||
		skip "/etc/services has no http entry"
	netns_or_skip
	# Port 80 is ours only inside a network namespace of our own.
	run --separate-stderr in_netns '
		printf "over-http\n" >"$T/in"
		"$SOCKLINE" -l 127.0.0.1 http --port-file "$T/p" <"$T/in" \
			>"$T/sl.out" 2>&1 3>&- &
		wait_file "$T/p" || exit 98
		cat "$T/p"
		printf "back\n" | "$SOCKLINE" -v 127.0.0.1 http
		wait
		cat "$T/sl.out"'
	assert_success
	assert_output "80
over-http
back"
	assert_equal "$stderr" "Connection to 127.0.0.1 80 port [tcp/http] succeeded!"
}

@test "a listener with no host accepts an IPv4 client and shows it as IPv4" {
	bg sl "$SOCKLINE" -v -l 0
	port=$(listening_port sl)
	run peer.py --connect 127.0.0.1 --port "$port" send:'hi\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "hi"
	run grep -E '^Connection received on 127\.0\.0\.1 [0-9]+$' "$T/sl.err"
	assert_success
}

@test "a listener with no host accepts an IPv6 client" {
	bg sl "$SOCKLINE" -v -l 0
	port=$(listening_port sl)
	run peer.py --connect ::1 --port "$port" send:'hi6\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "hi6"
	run grep -E '^Connection received on ::1 [0-9]+$' "$T/sl.err"
	assert_success
}

@test "-l -p PORT listens on that port" {
	bg holder peer.py --listen --port-file "$T/port0"
	port=$(port_of "$T/port0")
	kill "$holder_pid"
	finish "$holder_pid"
	bg sl "$SOCKLINE" -v -l -p "$port" 127.0.0.1
	wait_line "$T/sl.err" "^Listening on 127.0.0.1 $port\$"
	run peer.py --connect 127.0.0.1 --port "$port" send:'p\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$(cat "$T/sl.out")" "p"
}

@test "a listener restarts on the same port right after its client left" {
	printf 'bye\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -l 127.0.0.1 0
	port=$(listening_port sl)
	# sockline half-closes first, so its side of the port is the one
	# left in TIME_WAIT.
	run peer.py --connect 127.0.0.1 --port "$port" expect:'bye\n' expect-eof close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
	bg sl2 "$SOCKLINE" -v -l 127.0.0.1 "$port"
	wait_line "$T/sl2.err" "^Listening on 127.0.0.1 $port\$"
	run peer.py --connect 127.0.0.1 --port "$port" send:'again\n' close
	assert_success
	finish "$sl2_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl2.out")" "again"
}

@test "-b sets the backlog of a listener (ss shows it), and the default is 128" {
	command -v ss >/dev/null || skip "ss (iproute2) is not installed"
	bg sl "$SOCKLINE" -v -b 7 -l 127.0.0.1 0
	port=$(listening_port sl)
	# For a listening socket, ss's Send-Q column is the backlog.
	run ss -Hltn "sport = :$port"
	assert_output --regexp "^LISTEN +0 +7 +127\.0\.0\.1:$port "
	bg sl2 "$SOCKLINE" -v -l 127.0.0.1 0
	port2=$(listening_port sl2)
	run ss -Hltn "sport = :$port2"
	assert_output --regexp "^LISTEN +0 +128 +127\.0\.0\.1:$port2 "
	run peer.py --connect 127.0.0.1 --port "$port" send:'b\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}

@test "an IPv6 literal in brackets works as a host, for -l and for -s" {
	printf 'from-listener\n' >"$T/in"
	bg_in sl "$T/in" "$SOCKLINE" -v -l '[::1]' 0
	port=$(listening_port sl)
	grep -qx "Listening on ::1 $port" "$T/sl.err"
	run --separate-stderr timeout 10 "$SOCKLINE" -s '[::1]' '[::1]' "$port" </dev/null
	assert_success
	assert_output "from-listener"
}

@test "-s with an address of the other family names both, not an option" {
	run --separate-stderr timeout 10 "$SOCKLINE" -s ::1 127.0.0.1 9 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: -s ::1 is an IPv6 address, and cannot reach an IPv4 one"
}

@test "--port-file holds the bound port once the listener is ready" {
	bg sl "$SOCKLINE" -l 127.0.0.1 0 --port-file "$T/pf"
	port=$(port_of "$T/pf")
	[[ "$port" =~ ^[0-9]+$ ]]
	run peer.py --connect 127.0.0.1 --port "$port" send:'pf\n' close
	assert_success
	finish "$sl_pid"
	assert_equal "$(cat "$T/sl.out")" "pf"
	run ls "$T"
	refute_output --partial "pf."
}

@test "-s and -p bind the local end of a connection and the peer sees them" {
	sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	bg srv peer.py --listen --port-file "$T/port" --peer-file "$T/client" expect-eof
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -s 127.0.0.1 -p "$sport" 127.0.0.1 "$port" </dev/null
	assert_success
	finish "$srv_pid"
	assert_equal "$(cat "$T/client")" "127.0.0.1 $sport"
}

@test "-v reports a successful connection in nc's words" {
	bg srv peer.py --listen --port-file "$T/port" expect-eof
	port=$(port_of "$T/port")
	run --separate-stderr timeout 10 "$SOCKLINE" -v -n 127.0.0.1 "$port" </dev/null
	assert_success
	assert_equal "$stderr" "Connection to 127.0.0.1 $port port [tcp/*] succeeded!"
}
