#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A program of -e/-c counts against -m until it has exited: a client
# that resets costs its program a SIGTERM, and SIGKILL follows a second
# later if it is ignored, so programs never pile up past -m and none is
# left behind.

load helpers/common

# A program that says who it is and then ignores SIGTERM.
STUBBORN='trap "" TERM; echo ready $$; exec sleep 1000'

@test "programs that ignore SIGTERM never run more than -m at once, and are killed once their client resets" {
	bg sl "$SOCKLINE" -v -l -k -m 2 127.0.0.1 0 --port-file "$T/port" -c "$STUBBORN"
	port=$(port_of "$T/port")
	run timeout 60 reset-clients.py 127.0.0.1 "$port" 12 2
	assert_success
	[[ "$output" == "started "*", then served again" ]]
}

@test "a -m refusal while a gone client's program is still stopping says so with -v" {
	bg sl "$SOCKLINE" -v -l -k -m 1 127.0.0.1 0 --port-file "$T/port" -c "$STUBBORN"
	port=$(port_of "$T/port")
	run timeout 60 reset-clients.py 127.0.0.1 "$port" 3 1
	assert_success
	grep -q 'Refused a connection from 127.0.0.1 [0-9]*: 1 client already, or their programs still stopping (-m)' "$T/sl.err"
}

@test "at exit every program is stopped, even one that ignores SIGTERM" {
	bg sl "$SOCKLINE" -l -k 127.0.0.1 0 --port-file "$T/port" -c "$STUBBORN"
	port=$(port_of "$T/port")
	cat >"$T/hold.py" <<-'EOF'
		import socket, sys, time
		socks, pids = [], []
		for _ in range(5):
		    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
		    pids.append(s.makefile("rb").readline().split()[1].decode())
		    socks.append(s)
		with open(sys.argv[3] + ".tmp", "w") as out:
		    out.write("\n".join(pids) + "\n")
		import os
		os.rename(sys.argv[3] + ".tmp", sys.argv[3])
		# The clients stay: their programs still have them at exit.
		time.sleep(1000)
	EOF
	bg holder python3 "$T/hold.py" 127.0.0.1 "$port" "$T/programs"
	wait_file "$T/programs"
	[ "$(wc -l <"$T/programs")" -eq 5 ]
	kill -TERM "$sl_pid"
	finish "$sl_pid"
	assert_equal "$status" 143
	while read -r pid; do
		wait_until gone "$pid"
	done <"$T/programs"
}
