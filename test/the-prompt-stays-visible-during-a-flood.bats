#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# While the peer floods the prompt, the prompt and the line being typed
# are drawn again at least every 200 ms, and stay long enough to be seen
# (design item 17).  The floods never end: what the test looks for must
# show up while they go on.

load helpers/common
load helpers/tmux

# rows_have REGEX: a visible row of the pane matches (the scrollback of
# a flood is long and says nothing about the prompt).
rows_have() {
	pane_rows | grep -qE -- "$1"
}

rows_lack() {
	! rows_have "$1"
}

# seen_in N OF REGEX: REGEX matches a visible row in at least N of OF
# captures of the pane, taken 20 ms apart.  A prompt drawn only between
# two chunks of the flood is caught now and then by luck (about 2% of
# captures); one that rests on the screen every 200 ms, in far more.
# The sleep spaces the samples; it synchronises nothing.
seen_in() {
	local want=$1 of=$2 i hits=0
	for ((i = 0; i < of; i++)); do
		rows_have "$3" && hits=$((hits + 1))
		sleep 0.02
	done
	echo "seen in $hits of $of captures" >&2
	((hits >= want))
}

flood_peer() {
	bg srv flood.py --port-file "$T/port"
	port=$(port_of "$T/port")
}

@test "a line typed during a flood shows at the prompt while the flood goes on" {
	flood_peer
	repl 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	type_text 'typed during the flood'
	wait_pane "^127\\.0\\.0\\.1:$port> typed during the flood\$"
	seen_in 20 200 "^127\\.0\\.0\\.1:$port> typed during the flood\$"
	# The flood is still going: the peer has not been told to stop.
	kill -0 "$srv_pid"
}

@test "a line typed during a flood is sent when Enter is pressed" {
	bg srv flood.py --port-file "$T/port" --record "$T/got"
	port=$(port_of "$T/port")
	repl 127.0.0.1 "$port"
	wait_pane '^flood [0-9]+ x+$'
	line 'sent during the flood'
	wait_line "$T/got" '^sent during the flood$'
}
