# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for driving sockline's interactive front end in a real
# terminal: a private tmux server per test (its socket under $T), one
# 120x30 pane running sockline through helpers/in-pane, keys sent with
# send-keys, and bounded polls on what the pane shows (never a bare
# sleep).  Load after common.bash.
#
# Everything works on pane $PANE (empty by default): a test that needs a
# second terminal sets PANE=2 around the calls for it, and gets its own
# tmux server and files.

# pane_dir: where in-pane keeps the PID, status and stty files.
pane_dir() {
	echo "$T/pane${PANE:-}"
}

# tmux_ ARGS...: tmux, talking to this pane's own server.  The server
# must not hold bats' fd 3, or bats would wait for it.
tmux_() {
	LC_ALL=C.UTF-8 tmux -S "$T/tmux${PANE:-}.sock" "$@" 3>&-
}

# repl ARGS...: starts `sockline ARGS` in a fresh pane and returns once
# it runs; its PID is in $repl_pid.  The history file goes under
# $T/state, and readline reads $PANE_INPUTRC (default: an empty file),
# never ~/.inputrc.  With PANE_STDOUT=FILE set, sockline's stdout goes
# to FILE; with PANE_STTY set, the pane's terminal is set with
# `stty $PANE_STTY` first.
repl() {
	local inputrc=${PANE_INPUTRC:-$T/inputrc}
	mkdir -p "$(pane_dir)"
	[ -e "$inputrc" ] || : >"$inputrc"
	# A dead pane stays, so what it showed can still be read.
	printf 'set -g remain-on-exit on\n' >"$T/tmux.conf"
	tmux_ -f "$T/tmux.conf" new-session -d -x 120 -y 30 \
		-e LC_ALL=C.UTF-8 -e INPUTRC="$inputrc" \
		-e XDG_STATE_HOME="$T/state" -e PANE_STDOUT="${PANE_STDOUT:-}" \
		-e PANE_STTY="${PANE_STTY:-}" \
		"$TOP/test/helpers/in-pane" "$(pane_dir)" "$SOCKLINE" "$@" ||
		return 1
	wait_file "$(pane_dir)/pid" || return 1
	repl_pid=$(cat "$(pane_dir)/pid")
}

# shell_repl ARGS...: like repl, but the pane runs an interactive bash
# (no rc files, history in memory only) and `sockline ARGS` is typed
# at its prompt, so whatever sockline leaves unread on the terminal
# would really be run by a shell.  shell_settle waits for that shell.
shell_repl() {
	local inputrc=${PANE_INPUTRC:-$T/inputrc} cmd
	mkdir -p "$(pane_dir)"
	[ -e "$inputrc" ] || : >"$inputrc"
	printf 'set -g remain-on-exit on\n' >"$T/tmux.conf"
	tmux_ -f "$T/tmux.conf" new-session -d -x 120 -y 30 \
		-e LC_ALL=C.UTF-8 -e INPUTRC="$inputrc" -e PS1='shell$ ' \
		-e XDG_STATE_HOME="$T/state" -e HISTFILE= \
		bash --norc --noprofile -i || return 1
	wait_pane '^shell\$ ' || return 1
	# Job control off: a sockline stopped by SIGSTOP keeps the terminal
	# (bash would take it back), and typed text waits for it there.
	printf -v cmd '%q ' "$TOP/test/helpers/in-pane" "$(pane_dir)" \
		"$SOCKLINE" "$@"
	type_text "set +m; $cmd"
	keys Enter
	wait_file "$(pane_dir)/pid" || return 1
	repl_pid=$(cat "$(pane_dir)/pid")
}

# job_shell: an interactive bash with job control in the pane (prompt
# "shell$ "), for a test that types sockline's command line itself, to
# suspend it, stop it from outside or see what the shell writes next.
job_shell() {
	: >"$T/inputrc"
	printf 'set -g remain-on-exit on\n' >"$T/tmux.conf"
	tmux_ -f "$T/tmux.conf" new-session -d -x 120 -y 30 \
		-e LC_ALL=C.UTF-8 -e INPUTRC="$T/inputrc" \
		-e XDG_STATE_HOME="$T/state" -e PS1='shell$ ' \
		bash --norc --noprofile -i || return 1
	wait_until prompt_is 'shell$ '
}

# shell_child: the PID of what the pane's shell runs now.
shell_child() {
	pgrep -P "$(tmux_ display-message -p '#{pane_pid}')"
}

# shell_settle: once sockline has exited, has the pane's shell run
# everything it was given and then write its history to
# $T/shell.history; a leaked line would be run, and listed, first.
shell_settle() {
	wait_repl_exit || return 1
	type_text "history >'$T/shell.history'; echo settled >'$T/settled'"
	keys Enter
	wait_file "$T/settled"
}

# assert_shell_ran_nothing_else: the shell's history holds only the
# command that started sockline and shell_settle's.
assert_shell_ran_nothing_else() {
	local n
	n=$(wc -l <"$T/shell.history")
	[ "$n" -eq 2 ] || fail "the shell ran more than it was given: $(cat "$T/shell.history")"
}

# pane_input_queued: the pane's terminal holds input nobody has read.
pane_input_queued() {
	python3 -c 'import array, fcntl, os, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
n = array.array("i", [0])
fcntl.ioctl(fd, termios.FIONREAD, n)
sys.exit(0 if n[0] > 0 else 1)' "$(tmux_ display-message -p '#{pane_tty}')"
}

# repl_again: ends the pane's server, for a second run in one test.
repl_again() {
	tmux_ kill-server 2>/dev/null || true
	rm -rf "$(pane_dir)"
}

# serve STEP...: a python peer (peer.py) on a free port of 127.0.0.1,
# started as "srv" with these steps; sets $port.
serve() {
	rm -f "$T/port"
	bg srv peer.py --listen --port-file "$T/port" "$@"
	port=$(port_of "$T/port")
}

# repl_to_peer [OPTION...]: sockline in the pane, connected to $port;
# returns once its prompt shows.
repl_to_peer() {
	repl "$@" 127.0.0.1 "$port" || return 1
	wait_pane "^127\\.0\\.0\\.1:$port> "
}

# pane: what the pane shows, scrollback included, wrapped rows joined.
pane() {
	tmux_ capture-pane -p -J -S - 2>/dev/null
}

# pane_rows: the visible rows as they are, not joined.
pane_rows() {
	tmux_ capture-pane -p 2>/dev/null
}

pane_has() {
	pane | grep -qE -- "$1"
}

# wait_pane REGEX: waits until a line of the pane matches REGEX.
wait_pane() {
	wait_until pane_has "$1" || {
		echo "--- the pane shows:" >&2
		pane >&2
		return 1
	}
}

# prompt_line: the pane's last line that is not empty.
prompt_line() {
	pane | sed '/^ *$/d' | tail -n 1
}

# prompt_is TEXT: the pane's last line that is not empty is TEXT.
prompt_is() {
	[ "$(prompt_line)" = "$1" ]
}

# keys KEY...: tmux key names (Enter, C-c, Up, Tab...).
keys() {
	tmux_ send-keys "$@"
}

# type_text TEXT: types TEXT literally.
type_text() {
	tmux_ send-keys -l -- "$1"
}

# line TEXT: types TEXT and Enter.
line() {
	type_text "$1"
	keys Enter
}

# wait_repl_exit: waits for sockline in the pane to end; sets $status.
wait_repl_exit() {
	wait_file "$(pane_dir)/status" || return 1
	status=$(cat "$(pane_dir)/status")
}

# assert_terminal_restored: stty -g after sockline equals before.
assert_terminal_restored() {
	local d
	d=$(pane_dir)
	cmp "$d/stty.before" "$d/stty.after" ||
		fail "terminal settings changed: $(cat "$d/stty.before") -> $(cat "$d/stty.after")"
}

# The tmux servers go first in teardown, then common.bash's cleanup.
if declare -F teardown >/dev/null; then
	eval "common_$(declare -f teardown)"
else
	common_teardown() { :; }
fi
teardown() {
	local sock dir pid
	# A sockline still at a prompt ends first, by SIGTERM, with its pane
	# alive.  Killing the tmux server under it instead makes its process
	# group orphaned while it exits, and the SIGCONT the kernel then sends
	# can cancel the stop LeakSanitizer's exit check waits for (under
	# make check-asan), leaving it spinning forever.  No status file yet
	# means in-pane has not reaped it, so the PID is still sockline's.
	for dir in "$T"/pane*; do
		[ -f "$dir/pid" ] && [ ! -f "$dir/status" ] || continue
		pid=$(cat "$dir/pid")
		kill "$pid" 2>/dev/null || continue
		WAIT_SECS=10 wait_until test -f "$dir/status" ||
			kill -KILL "$pid" 2>/dev/null || true
	done
	for sock in "$T"/tmux*.sock; do
		[ -S "$sock" ] && tmux -S "$sock" kill-server 2>/dev/null 3>&-
	done
	common_teardown
}
