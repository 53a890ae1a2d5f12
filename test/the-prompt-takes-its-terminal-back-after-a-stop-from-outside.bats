#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Ctrl-Z at the prompt is sockline's own key, but a stop can come from
# outside too (kill -TSTP, kill -STOP).  The shell then gives the
# terminal its own settings; after fg the prompt must take its own back,
# or keys would be echoed by the terminal and reach readline only at
# Enter.

load helpers/common
load helpers/tmux

@test "after kill -TSTP or -STOP and fg the prompt reads keys at once again, and a typed line is sent once" {
	for sig in TSTP STOP; do
		serve expect:"after $sig\\n" expect-eof
		job_shell
		line "$SOCKLINE --no-history 127.0.0.1 $port; echo ended >$T/ended"
		wait_until prompt_is "127.0.0.1:$port> "
		sl=$(shell_child)
		kill "-$sig" "$sl"
		wait_pane 'Stopped'
		line fg
		wait_until prompt_is "127.0.0.1:$port> "
		# Without Enter: only a prompt in charge of the terminal shows it.
		type_text "after $sig"
		wait_until prompt_is "127.0.0.1:$port> after $sig"
		keys Enter
		line exit
		wait_file "$T/ended"
		finish "$srv_pid"
		assert_equal "$status" 0
		tmux_ kill-server
		rm -f "$T/ended"
	done
}
