#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The prompt over datagrams (design items 6, 7 and 12): one datagram
# per typed line; a UDP listener labels senders and answers the latest.

load helpers/common
load helpers/tmux

@test "over UDP each typed line is one datagram, and replies show as lines" {
	bg dg dgram-peer.py --port-file "$T/uport" --record "$T/got" --upper
	uport=$(port_of "$T/uport")
	repl -u 127.0.0.1 "$uport"
	wait_pane "^127\\.0\\.0\\.1:$uport> "
	line 'first line'
	wait_pane '^FIRST LINE$'
	keys Enter
	line 'third'
	wait_pane '^THIRD$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	cat >"$T/want" <<-'EOF'
		b'first line\n'
		b'\n'
		b'third\n'
	EOF
	diff -u "$T/want" "$T/got"
}

@test "with -C a typed UDP line is one datagram ending in CRLF" {
	bg dg dgram-peer.py --port-file "$T/uport" --record "$T/got"
	uport=$(port_of "$T/uport")
	repl -u -C 127.0.0.1 "$uport"
	wait_pane "^127\\.0\\.0\\.1:$uport> "
	line 'PING'
	wait_file "$T/got"
	line exit
	wait_repl_exit
	assert_equal "$(cat "$T/got")" "b'PING\\r\\n'"
}

@test "a UDP listener labels each datagram with its sender and answers the latest" {
	repl -u -l 127.0.0.1 0 --port-file "$T/lport"
	lport=$(port_of "$T/lport")
	wait_pane "^waiting for a datagram on port $lport> \$"
	cat >"$T/clients.py" <<-'EOF'
		import os, socket, sys, time
		port, d = int(sys.argv[1]), sys.argv[2]
		def wait(name):
		    while not os.path.exists(os.path.join(d, name)):
		        time.sleep(0.02)
		a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		a.settimeout(20); b.settimeout(20)
		a.sendto(b"from a\n", ("127.0.0.1", port))
		assert a.recvfrom(100)[0] == b"to a\n"
		b.sendto(b"from b", ("127.0.0.1", port))
		assert b.recvfrom(100)[0] == b"to b\n"
		open(os.path.join(d, "b-done"), "w").write("done\n")
		assert a.recvfrom(100)[0] == b"to a again\n"
	EOF
	bg clients python3 "$T/clients.py" "$lport" "$T"
	wait_pane '^\[1 127\.0\.0\.1:[0-9]+\] from a$'
	wait_pane "^127\\.0\\.0\\.1:[0-9]+> \$"
	line 'to a'
	wait_pane '^\[2 127\.0\.0\.1:[0-9]+\] from b$'
	line 'to b'
	wait_file "$T/b-done"
	# Senders are numbered from 1 in the order they first sent: a is 1.
	line '/to 1'
	wait_pane '^sockline: typed lines go to peer 1$'
	line 'to a again'
	finish "$clients_pid"
	assert_equal "$status" 0
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "a UDP listener numbers its senders from 1, as /peers and /to show" {
	repl -u -l 127.0.0.1 0 --port-file "$T/lport"
	lport=$(port_of "$T/lport")
	wait_pane "^waiting for a datagram on port $lport> \$"
	bg dg peer.py --udp --connect 127.0.0.1 --port "$lport" send:'one sender\n' expect:'to one\n'
	wait_pane 'one sender$'
	line /peers
	wait_pane '^\* +1 +127\.0\.0\.1 port [0-9]+ \(udp\)$'
	line '/to 1'
	wait_pane '^sockline: typed lines go to peer 1$'
	line 'to one'
	finish "$dg_pid"
	assert_equal "$status" 0
	line exit
	wait_repl_exit
	assert_equal "$status" 0
}

@test "over a unix datagram socket each typed line is one datagram" {
	bg dg dgram-peer.py --unix "$T/dg.sock" --record "$T/got" --upper
	wait_until test -S "$T/dg.sock"
	repl -U -u "$T/dg.sock"
	wait_pane "^$T/dg\\.sock> "
	line 'over unix'
	wait_pane '^OVER UNIX$'
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	assert_equal "$(cat "$T/got")" "b'over unix\\n'"
}
