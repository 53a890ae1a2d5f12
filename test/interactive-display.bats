#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The screen of the prompt (design item 11): replies appear above the
# prompt as they arrive, and never garble the line being typed.

load helpers/common
load helpers/tmux

# cursor: the pane's cursor column.
cursor() {
	tmux_ display-message -p '#{cursor_x}'
}

cursor_at() {
	[ "$(cursor)" -eq "$1" ]
}

@test "a reply that arrives while par is typed leaves par on a redrawn prompt, and the line goes out as partial" {
	serve wait-file:"$T/typed" send:'reply from the peer\n' \
		expect:'partial\n' expect-eof
	repl_to_peer
	type_text par
	wait_pane "> par\$"
	touch "$T/typed"
	wait_pane '^reply from the peer$'
	assert_equal "$(prompt_line)" "127.0.0.1:$port> par"
	# The reply is above the prompt, not in it.
	run bash -c "grep -nE '^reply from the peer\$|> par\$' <<<\"\$0\" | cut -d: -f2-" "$(pane)"
	assert_equal "${lines[0]}" "reply from the peer"
	type_text tial
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "the cursor stays where it was in the line when a reply is drawn" {
	serve wait-file:"$T/typed" send:'interruption\n' expect:'partial\n' \
		expect-eof
	repl_to_peer
	type_text partl
	keys Left
	wait_pane "> partl\$"
	# "127.0.0.1:PORT> " and four characters.
	before=$((10 + ${#port} + 2 + 4))
	wait_until cursor_at "$before"
	touch "$T/typed"
	wait_pane '^interruption$'
	assert_equal "$(cursor)" "$before"
	type_text ia
	keys Enter
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "a reply without a newline (login: ) stays visible, as the start of the prompt line" {
	serve send:'login: ' expect:'alice\n' send:'password: ' \
		expect:'secret\n' expect-eof
	# Not repl_to_peer: sockline's own prompt gives way to "login: "
	# (design item 21) perhaps before a poll sees it.
	repl 127.0.0.1 "$port"
	wait_pane '^login: $'
	type_text alice
	wait_pane '^login: alice$'
	keys Enter
	wait_pane '^password: $'
	line secret
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "the rest of an unfinished line continues it in place" {
	serve send:'abc' wait-file:"$T/more" send:'def' wait-file:"$T/end" \
		send:'ghi\n' expect-eof
	repl_to_peer
	wait_pane '^abc$'
	touch "$T/more"
	wait_pane '^abcdef$'
	touch "$T/end"
	wait_pane '^abcdefghi$'
	refute pane_has '^def'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "600 bytes without a newline show whole, and what follows continues the line" {
	python3 -c 'print("y" * 600, end="")' >"$T/y600"
	python3 -c 'print("w" * 650, end="")' >"$T/w650"
	serve send-file:"$T/y600" wait-file:"$T/more" send:'zzz\n' \
		send-file:"$T/w650" wait-file:"$T/end" send:'!\n' expect-eof
	repl_to_peer
	wait_pane '^y{600}$'
	touch "$T/more"
	wait_pane '^y{600}zzz$'
	wait_pane '^w{650}$'
	touch "$T/end"
	wait_pane '^w{650}!$'
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}

@test "the peer closing prints a notice and ends the session with 0" {
	serve send:'bye\n' close
	# Nothing is typed, so the session ends at the close (design item
	# 2): the prompt may never be seen.
	repl 127.0.0.1 "$port"
	wait_pane "^sockline: 127\\.0\\.0\\.1 port $port \\(tcp\\) closed the connection$"
	wait_repl_exit
	assert_equal "$status" 0
	assert_terminal_restored
	assert pane_has '^bye$'
}

@test "with stdout redirected the file gets only the peer's bytes and the terminal the prompt" {
	serve send:'one\x1b[2J\r\n' expect:'typed\n' send:'two' expect-eof
	PANE_STDOUT="$T/out" repl_to_peer
	line typed
	# exit does not wait for the peer: "two" must be in before it.
	wait_until grep -q two "$T/out"
	line exit
	wait_repl_exit
	assert_equal "$status" 0
	printf 'one\033[2J\r\ntwo' >"$T/want"
	cmp "$T/want" "$T/out"
	refute pane_has 'one'
	assert pane_has "^127\\.0\\.0\\.1:$port> typed$"
}

@test "many replies in a row while typing keep every reply and the typed line" {
	for i in $(seq 1 40); do
		steps+=("send:reply $i\\n")
	done
	serve wait-file:"$T/typed" "${steps[@]}" expect:'still here\n' expect-eof
	repl_to_peer
	type_text 'still he'
	wait_pane '> still he$'
	touch "$T/typed"
	wait_pane '^reply 40$'
	for i in $(seq 1 40); do
		assert pane_has "^reply $i\$"
	done
	assert_equal "$(prompt_line)" "127.0.0.1:$port> still he"
	line re
	line exit
	finish "$srv_pid"
	assert_equal "$status" 0
}
