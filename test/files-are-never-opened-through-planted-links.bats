#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Design item 15: in a sticky world-writable directory (/tmp), sockline
# never follows a symbolic link that belongs to someone else (neither
# the caller nor the directory's owner), whatever fs.protected_symlinks
# says: the file it would write (-o, --port-file, --history) is refused
# with a message naming it, exit 1, and the link's target is untouched.
# Links of our own, /dev/stdout and /dev/fd/N work as usual.

load helpers/common
load helpers/planted

@test "-o through a link another user planted: exit 1 naming the path, and its target untouched" {
	sticky_dir
	plant_link log "$T/precious"
	peer_up expect-closed
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$D/log" 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log $D/log: refusing to follow a symbolic link owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_precious
	[ -L "$D/log" ]
}

@test "--port-file through a link another user planted: exit 1 before serving, and its target untouched" {
	sticky_dir
	plant_link port "$T/precious"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -l --port-file "$D/port" 127.0.0.1 0 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write port file $D/port: refusing to follow a symbolic link owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_precious
	[ -L "$D/port" ]
}

@test "--history through a link another user planted: exit 1 before the prompt, nothing sent, its target untouched" {
	sticky_dir
	plant_link hist "$T/precious"
	peer_up recv-all:"$T/got"
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" --interactive --history "$D/hist" \
		127.0.0.1 "$port" <<<'typed line'
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot read the history file $D/hist: refusing to follow a symbolic link owned by uid $OTHER_UID in the sticky world-writable directory $D"
	assert_precious
	finish "$srv_pid"
	assert_equal "$status" 0
	[ ! -s "$T/got" ]
}

@test "a link another user planted as a directory of the path is not followed either" {
	sticky_dir
	mkdir "$T/elsewhere"
	plant_link sub "$T/elsewhere"
	peer_up expect-closed
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$D/sub/log" 127.0.0.1 "$port" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockline: cannot write the session log $D/sub/log: refusing to follow the symbolic link $D/sub owned by uid $OTHER_UID in the sticky world-writable directory $D"
	[ ! -e "$T/elsewhere/log" ]
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -l --port-file "$D/sub/port" 127.0.0.1 0 </dev/null
	assert_failure 1
	[ ! -e "$T/elsewhere/port" ]
}

@test "readline's predictable FILE-PID.tmp, planted as a link, is never written through" {
	sticky_dir
	# A full history file (ours), so that saving has to cut it down: the
	# step where readline wrote FILE-PID.tmp and renamed it over FILE.
	seq -f 'old %g' 1 1000 >"$D/hist"
	peer_up recv-all:"$T/got"
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" --interactive --history "$D/hist" 127.0.0.1 "$port"
	# The PID is known before sockline reads a line: plant its name.
	plant_link "hist-$sl_pid.tmp" "$T/precious"
	printf 'new line\n' >"$T/in"
	finish "$sl_pid"
	assert_equal "$status" 0
	assert_precious
	[ -L "$D/hist-$sl_pid.tmp" ]
	[ -f "$D/hist" ]
	[ ! -L "$D/hist" ]
	assert_equal "$(wc -l <"$D/hist")" 1000
	assert_equal "$(head -n 1 "$D/hist")" "old 2"
	assert_equal "$(tail -n 1 "$D/hist")" "new line"
}

@test "a missing history directory is not made through a link another user planted during the session" {
	sticky_dir
	mkdir "$T/elsewhere"
	peer_up recv-all:"$T/got"
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" --interactive --history "$D/sub/deeper/hist" \
		127.0.0.1 "$port"
	exec {in_fd}>"$T/in"
	# The history has been looked for (and not found) once the session
	# says it is connected; only then does the link appear.
	wait_line "$T/sl.err" 'connected to 127\.0\.0\.1'
	plant_link sub "$T/elsewhere"
	printf 'typed line\n' >&"$in_fd"
	exec {in_fd}>&-
	finish "$sl_pid"
	# Not saving the history does not change the exit status.
	assert_equal "$status" 0
	run ls -A "$T/elsewhere"
	assert_output ""
	run grep '^sockline: cannot save' "$T/sl.err"
	assert_output "sockline: cannot save the history file $D/sub/deeper/hist: refusing to follow the symbolic link $D/sub owned by uid $OTHER_UID in the sticky world-writable directory $D"
}

@test "a link of our own in a sticky directory is followed, for -o, --port-file and --history" {
	sticky_dir
	ln -s "$T/log.target" "$D/log"
	ln -s "$T/port.target" "$D/port"
	ln -s "$T/hist.target" "$D/hist"
	peer_up send:'hello\n' close
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o "$D/log" 127.0.0.1 "$port" </dev/null
	assert_success
	grep -q '< hello$' "$T/log.target"
	bg sl "$SOCKLINE" -l --port-file "$D/port" 127.0.0.1 0
	lport=$(port_of "$T/port.target")
	run timeout -k 2 10 "$SOCKLINE" 127.0.0.1 "$lport" </dev/null
	assert_success
	finish "$sl_pid"
	peer_up recv-all:"$T/got"
	run timeout -k 2 10 "$SOCKLINE" --interactive --history "$D/hist" 127.0.0.1 "$port" <<<'kept'
	assert_success
	assert_equal "$(cat "$T/hist.target")" "kept"
	[ -L "$D/log" ]
	[ -L "$D/port" ]
	[ -L "$D/hist" ]
}

@test "a link of the sticky directory's owner is followed, as the kernel's rule allows" {
	sticky_dir
	mkdir -m 1777 "$T/theirs"
	chown "$OTHER_UID" "$T/theirs"
	ln -s "$T/port.target" "$T/theirs/port"
	chown -h "$OTHER_UID" "$T/theirs/port"
	bg sl "$SOCKLINE" -l --port-file "$T/theirs/port" 127.0.0.1 0
	lport=$(port_of "$T/port.target")
	run timeout -k 2 10 "$SOCKLINE" 127.0.0.1 "$lport" </dev/null
	assert_success
	[ -L "$T/theirs/port" ]
}

@test "-o /dev/stdout and --port-file /dev/fd/N still write where they point" {
	peer_up send:'hello\n' close
	run --separate-stderr timeout -k 2 10 "$SOCKLINE" -o /dev/stdout 127.0.0.1 "$port" </dev/null
	assert_success
	assert_line hello
	assert_line --regexp ' < hello$'
	bg sl bash -c 'exec "$0" -l --port-file /dev/fd/5 127.0.0.1 0 5>"$1"' \
		"$SOCKLINE" "$T/fd5"
	lport=$(port_of "$T/fd5")
	run timeout -k 2 10 "$SOCKLINE" 127.0.0.1 "$lport" </dev/null
	assert_success
	finish "$sl_pid"
	assert_equal "$status" 0
}
