#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --lockstep against a server whose reply line goes on and on: printed
# as it comes, memory bounded, and still one reply (its newline).

load helpers/common

@test "a --lockstep reply line of 50 MB is printed as it comes and memory stays bounded" {
	head -c 50000000 /dev/zero | tr '\0' 'r' >"$T/big"
	bg srv peer.py --listen --port-file "$T/port" expect:'ask\n' \
		send-file:"$T/big" wait-file:"$T/go" send:'\n' expect:'next\n' \
		send:'done\n' expect-eof
	port=$(port_of "$T/port")
	mkfifo "$T/in"
	bg_in sl "$T/in" "$SOCKLINE" --lockstep 127.0.0.1 "$port"
	exec 4>"$T/in"
	wait_until is_sockline "$sl_pid"
	base=$(rss_kb "$sl_pid")
	printf 'ask\nnext\n' >&4
	exec 4>&-
	# All but the last piece (under 64 KiB) is out before the newline.
	big_out() { (($(stat -c %s "$T/sl.out") >= 50000000 - 65536)); }
	wait_until big_out
	grown=$(($(rss_kb "$sl_pid") - base))
	echo "RSS growth over a 50 MB reply line: ${grown} kB" >&3
	((grown < 16384))
	touch "$T/go"
	finish "$sl_pid"
	assert_equal "$status" 0
	finish "$srv_pid"
	assert_equal "$status" 0
	cmp "$T/sl.out" <(cat "$T/big"; printf '\ndone\n')
}
