#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A -k listener at the prompt: every client's data labelled with its
# address, typed lines to every client or to the one /to picks, /peers
# and /close (design item 8).

load helpers/common
load helpers/tmux

# Starts `sockline -l -k` in the pane; sets $port.
listen_k() {
	repl -l -k 127.0.0.1 0 --port-file "$T/port" "$@"
	port=$(port_of "$T/port")
}

@test "each client's data is labelled with its address at the prompt" {
	listen_k
	bg a peer.py --connect 127.0.0.1 --port "$port" --peer-file "$T/a.addr" \
		send:'hello from a\n' wait-file:"$T/never"
	wait_pane 'hello from a'
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'hello from b\n' wait-file:"$T/never"
	wait_pane 'hello from b'
	run pane
	assert_output --regexp '127\.0\.0\.1[: ][0-9]+.*hello from a'
	assert_output --regexp '127\.0\.0\.1[: ][0-9]+.*hello from b'
}

@test "typed lines go to every client, /to N to one, /peers lists them, /close N drops one" {
	listen_k
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a here\n' \
		expect:'to all\n' expect:'only a\n' wait-file:"$T/done"
	wait_pane 'a here'
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b here\n' \
		expect:'to all\n' expect-eof
	wait_pane 'b here'
	line 'to all'
	line /peers
	wait_pane '^\* +1 +127\.0\.0\.1 port [0-9]+ \(tcp\)$'
	wait_pane '^\* +2 +127\.0\.0\.1 port [0-9]+ \(tcp\)$'
	line '/to 1'
	wait_pane 'typed lines go to peer 1'
	line 'only a'
	line '/close 2'
	# b saw "to all" and then the end, never "only a".
	finish "$b_pid"
	assert_equal "$status" 0
	touch "$T/done"
	finish "$a_pid"
	assert_equal "$status" 0
	line /peers
	wait_pane '^\* +1 +127\.0\.0\.1 port [0-9]+ \(tcp\)$'
	# The listener itself goes on.
	kill -0 "$repl_pid"
}

@test "/to all sends to every client again after /to N" {
	listen_k
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a\n' expect:'x\n' expect:'y\n' close
	wait_pane '\ba$'
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b\n' expect:'y\n' close
	wait_pane '\bb$'
	line '/to 1'
	line x
	line '/to all'
	wait_pane 'typed lines go to every peer'
	line y
	# a got "x" then "y"; b only "y" (an "x" would fail its expect).
	finish "$a_pid"
	assert_equal "$status" 0
	finish "$b_pid"
	assert_equal "$status" 0
}

@test "a -k client's prompt without a newline (login: ) shows at once" {
	listen_k
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'login: ' \
		expect:'alice\n' touch:"$T/got" wait-file:"$T/never"
	wait_pane 'login: $'
	line alice
	wait_until test -e "$T/got"
}

@test "/close of the last client leaves a -k listener waiting for the next" {
	listen_k
	wait_pane "^waiting for a client on port $port> \$"
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a here\n' expect-eof
	wait_pane 'a here'
	line /close
	finish "$a_pid"
	assert_equal "$status" 0
	wait_pane '^sockline: closed the connection to 127\.0\.0\.1 port [0-9]+ \(tcp\)$'
	wait_pane "^waiting for a client on port $port> \$"
	# Still listening: the next client gets what is typed.
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b here\n' \
		expect:'for b\n' close
	wait_pane 'b here'
	line 'for b'
	finish "$b_pid"
	assert_equal "$status" 0
	kill -0 "$repl_pid"
}

# prompt_is TEXT: the pane's prompt line reads TEXT exactly.
prompt_is() {
	[ "$(prompt_line)" = "$1" ]
}

@test "the prompt stops naming a client the moment it leaves, without an Enter" {
	listen_k
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a here\n' \
		wait-file:"$T/a-go" close
	wait_pane 'a here'
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b here\n' \
		wait-file:"$T/b-go" close
	wait_pane 'b here'
	wait_until prompt_is '2 peers> '
	aport=$(pane | sed -n 's/^\[[0-9]* 127\.0\.0\.1:\([0-9]*\)\] a here$/\1/p')
	touch "$T/b-go"
	finish "$b_pid"
	# b gone: the prompt names the one client left.
	wait_until prompt_is "127.0.0.1:$aport> "
	touch "$T/a-go"
	finish "$a_pid"
	wait_pane '^sockline: 127\.0\.0\.1 port [0-9]+ \(tcp\) closed the connection$'
	wait_until prompt_is "waiting for a client on port $port> "
	kill -0 "$repl_pid"
}

@test "a client's label carries its id, ids are never reused, and /to N needs no /peers" {
	listen_k
	bg a peer.py --connect 127.0.0.1 --port "$port" send:'a here\n' close
	wait_pane '^\[1 127\.0\.0\.1:[0-9]+\] a here$'
	finish "$a_pid"
	wait_pane "^waiting for a client on port $port> \$"
	bg b peer.py --connect 127.0.0.1 --port "$port" send:'b here\n' wait-file:"$T/go"
	wait_pane '^\[2 127\.0\.0\.1:[0-9]+\] b here$'
	bg c peer.py --connect 127.0.0.1 --port "$port" send:'c here\n' \
		expect:'only c\n' close
	wait_pane '^\[3 127\.0\.0\.1:[0-9]+\] c here$'
	line '/to 3'
	wait_pane 'typed lines go to peer 3'
	line 'only c'
	finish "$c_pid"
	assert_equal "$status" 0
	touch "$T/go"
}
