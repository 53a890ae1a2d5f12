#!/usr/bin/env bats
# Pasting a lot at the prompt.  Lines typed while nobody can take them
# wait in the send queue; when a client comes they go out together.
# With -C, more than 64 KiB of them once overflowed the translation
# buffer (a global-buffer-overflow under `make check-asan`, silent
# corruption otherwise).

load helpers/common
load helpers/tmux

@test "200 KB of lines pasted with -C before a -k client comes arrive whole, as CRLF lines" {
	repl --no-history -l -k -C 127.0.0.1 0 --port-file "$T/port"
	port=$(port_of "$T/port")
	python3 -c 'import sys; sys.stdout.write("".join("%04d%s\n" % (i, "x" * 195) for i in range(1000)))' >"$T/paste"
	sed 's/$/\r/' "$T/paste" >"$T/want"
	tmux_ load-buffer "$T/paste"
	tmux_ paste-buffer
	# A command runs after every line pasted before it.
	line /peers
	wait_pane '^sockline: no peers yet$'
	run peer.py --connect 127.0.0.1 --port "$port" expect-file:"$T/want"
	assert_success
	kill -0 "$repl_pid"
}
