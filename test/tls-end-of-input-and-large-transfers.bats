#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# End of input and the peer's end over TLS (design items 1-3 and 19):
# close_notify at end of input, then read until the peer's close_notify
# or end of stream; nothing lost in either direction at any size; a
# reset or an alert from the peer is exit 1 with one line naming it.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

@test "2 MiB of every byte value round-trip through a python TLS echo server" {
	all_bytes "$T/data" 2
	tls_peer srv server echo
	run --separate-stderr timeout 60 bash -c \
		'"$0" --tls --tls-ca "$1" 127.0.0.1 "$2" <"$3" >"$4"' \
		"$SOCKLINE" "$PKI/ca.pem" "$port" "$T/data" "$T/back"
	assert_success
	assert_equal "$(sha256sum <"$T/back")" "$(sha256sum <"$T/data")"
	assert_equal "$(sha256sum <"$T/srv.rec")" "$(sha256sum <"$T/data")"
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(info srv end)" "close_notify"
}

@test "2 MiB of every byte value round-trip through sockline's TLS echo listener" {
	all_bytes "$T/data" 2
	bg srv "$SOCKLINE" -l 0 --tls --echo --tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run timeout 60 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--info "$T/c.info" exchange-file:"$T/data" shutdown expect-close-notify
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(sha256sum <"$T/srv.out")" "$(sha256sum <"$T/data")"
}

@test "64 MiB to a python peer that half-closed at once and reads slowly arrive whole" {
	head -c 67108864 /dev/urandom >"$T/big"
	# The peer sends its close_notify at once (it is done sending), then
	# reads slowly; sockline must go on sending everything.
	tls_peer srv server shutdown slow-recv:"$T/got":65536:1
	run --separate-stderr timeout 120 bash -c \
		'"$0" --tls --tls-ca "$1" 127.0.0.1 "$2" <"$3"' \
		"$SOCKLINE" "$PKI/ca.pem" "$port" "$T/big"
	assert_success
	finish "$srv_pid" 60
	assert_equal "$status" 0
	cmp "$T/big" "$T/got"
	assert_equal "$(info srv end)" "close_notify"
}

@test "an answer the peer sends after the client's end of input is printed, exit 0" {
	# The peer answers only once it has seen sockline's close_notify.
	tls_peer srv server expect:'question\n' expect-close-notify \
		send:'answer\n' close
	printf 'question\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "answer"
	assert_equal "$stderr" ""
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a long answer after the client's end of input arrives whole" {
	all_bytes "$T/data" 1
	tls_peer srv server expect:'send it\n' expect-close-notify \
		send-file:"$T/data" close
	printf 'send it\n' >"$T/in"
	run --separate-stderr timeout 30 bash -c \
		'"$0" --tls --tls-ca "$1" 127.0.0.1 "$2" <"$3" >"$4"' \
		"$SOCKLINE" "$PKI/ca.pem" "$port" "$T/in" "$T/back"
	assert_success
	cmp "$T/data" "$T/back"
}

@test "a peer's end without close_notify after ours ends the run with exit 0 and a -v note" {
	tls_peer srv server expect-close-notify send:'bare end\n' close-raw
	run --separate-stderr timeout 20 "$SOCKLINE" -v --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_success
	assert_output "bare end"
	[[ "$stderr" =~ close.notify ]] || fail "no note of the missing close_notify: $stderr"
}

@test "a peer's end without close_notify while stdin is open: exit 0 and a -v note" {
	hold_open "$T/fifo"
	tls_peer srv server send:'bare end\n' close-raw
	bg_in sl "$T/fifo" "$SOCKLINE" -v --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	finish "$sl_pid" 10
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "bare end"
	grep -q 'close.notify' "$T/sl.err" || fail "no note: $(cat "$T/sl.err")"
}

@test "the peer closing while stdin stays open ends the run promptly with exit 0" {
	hold_open "$T/fifo"
	tls_peer srv server send:'bye\n' close
	bg_in sl "$T/fifo" "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	finish "$sl_pid" 10
	assert_equal "$status" 0
	assert_equal "$(cat "$T/sl.out")" "bye"
}

@test "as a listener: the client's close_notify, then our answer and our close_notify" {
	printf 'from the listener\n' >"$T/in"
	bg_in srv "$T/in" "$SOCKLINE" -l 0 --tls --tls-cert "$PKI/server.pem" \
		--tls-key "$PKI/server.key" --port-file "$T/p"
	port=$(port_of "$T/p")
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		send:'from the client\n' shutdown \
		expect:'from the listener\n' expect-close-notify
	assert_success
	finish "$srv_pid"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/srv.out")" "from the client"
}

@test "a peer that resets mid-transfer: exit 1 with one line naming host and port" {
	head -c $((8 << 20)) /dev/urandom >"$T/big"
	tls_peer srv server recv:1048576 reset
	run --separate-stderr timeout 30 bash -c \
		'"$0" --tls --tls-ca "$1" 127.0.0.1 "$2" <"$3"' \
		"$SOCKLINE" "$PKI/ca.pem" "$port" "$T/big"
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" == *127.0.0.1* ]] || fail "no host in: $stderr"
	[[ "$stderr" =~ [^0-9]$port([^0-9]|$) ]] || fail "no port in: $stderr"
}

@test "a peer that resets while sockline only reads: exit 1 with one line" {
	hold_open "$T/fifo"
	all_bytes "$T/data" 1
	tls_peer srv server send-file:"$T/data" reset
	bg_in sl "$T/fifo" "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	finish "$sl_pid"
	assert_equal "$status" 1
	assert_one_line "$(cat "$T/sl.err")"
	grep -q "127.0.0.1" "$T/sl.err"
	grep -qE "[^0-9]$port([^0-9]|\$)" "$T/sl.err"
}

@test "a peer that sends a fatal alert mid-transfer: exit 1, one line with host, port and the alert" {
	head -c $((8 << 20)) /dev/urandom >"$T/big"
	tls_peer srv server recv:1048576 alert
	run --separate-stderr timeout 30 bash -c \
		'"$0" --tls --tls-ca "$1" 127.0.0.1 "$2" <"$3"' \
		"$SOCKLINE" "$PKI/ca.pem" "$port" "$T/big"
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" == *127.0.0.1* ]] || fail "no host in: $stderr"
	[[ "$stderr" =~ [^0-9]$port([^0-9]|$) ]] || fail "no port in: $stderr"
	# OpenSSL's reason string, not an error-queue dump.
	[[ "$stderr" =~ bad\ record\ mac ]] || fail "no reason in: $stderr"
	[[ ! "$stderr" =~ error:[0-9A-F]{8}: ]] || fail "an error-queue dump: $stderr"
}

@test "a peer that sends a fatal alert while sockline only reads: exit 1, one line" {
	hold_open "$T/fifo"
	all_bytes "$T/data" 1
	tls_peer srv server send-file:"$T/data" alert
	bg_in sl "$T/fifo" "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" 127.0.0.1 "$port"
	finish "$sl_pid"
	assert_equal "$status" 1
	assert_one_line "$(cat "$T/sl.err")"
	grep -q "bad record mac" "$T/sl.err"
	# What came before the alert was printed.
	cmp "$T/data" "$T/sl.out"
}

@test "a server that closes during the handshake: exit 1, one line naming host and port" {
	# A plain TCP server that reads the ClientHello and closes.
	bg srv peer.py --listen --port-file "$T/p" recv:5 close
	port=$(port_of "$T/p")
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" \
		127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" == *127.0.0.1* ]] || fail "no host in: $stderr"
	[[ "$stderr" =~ [^0-9]$port([^0-9]|$) ]] || fail "no port in: $stderr"
}

@test "a server that never answers the ClientHello: -w 1 gives up with exit 1 and one line" {
	bg srv peer.py --listen --port-file "$T/p" wait-file:"$T/never"
	port=$(port_of "$T/p")
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$PKI/ca.pem" -w 1 \
		127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" =~ [^0-9]$port([^0-9]|$) ]] || fail "no port in: $stderr"
}

@test "over TLS 1.2 too, 16 MiB to a peer that half-closed at once arrive whole" {
	head -c $((16 << 20)) /dev/urandom >"$T/big"
	tls_peer srv server --max 1.2 shutdown slow-recv:"$T/got":65536:1
	run --separate-stderr timeout 120 bash -c \
		'"$0" --tls --tls-ca "$1" 127.0.0.1 "$2" <"$3"' \
		"$SOCKLINE" "$PKI/ca.pem" "$port" "$T/big"
	assert_success
	finish "$srv_pid" 60
	assert_equal "$status" 0
	cmp "$T/big" "$T/got"
	assert_equal "$(info srv version)" "TLSv1.2"
}

@test "2 MiB of every byte value round-trip over a unix socket" {
	all_bytes "$T/data" 2
	tls_peer srv server --unix "$T/s" echo
	run --separate-stderr timeout 60 bash -c \
		'"$0" --tls --tls-ca "$1" --tls-name localhost -U "$2" <"$3" >"$4"' \
		"$SOCKLINE" "$PKI/ca.pem" "$T/s" "$T/data" "$T/back"
	assert_success
	cmp "$T/data" "$T/back"
}
