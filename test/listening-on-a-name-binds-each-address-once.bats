#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A name the resolver gives the same address for twice (glibc does, for
# "localhost" under -4, with Debian's stock /etc/hosts) is bound once:
# binding it twice fails "Address already in use" for TCP and makes two
# sockets and two "Listening on" lines for UDP.

load helpers/common

# debian_netns SCRIPT: runs SCRIPT in a network and mount namespace of
# its own, loopback up, with Debian's stock /etc/hosts lines for
# localhost bind-mounted over /etc/hosts.
debian_netns() {
	netns_or_skip
	# The condition the test is about: the resolver repeats itself.
	NETNS_HOSTS='127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
	    in_netns 'python3 -c "import socket, sys
a = socket.getaddrinfo(\"localhost\", 0, socket.AF_INET, socket.SOCK_STREAM)
sys.exit(len(a) < 2)" || exit 98
'"$1"
}

@test "-4 -l localhost listens and serves when localhost resolves to 127.0.0.1 twice" {
	run --separate-stderr debian_netns '
		"$SOCKLINE" -v -4 -l localhost 0 --echo --port-file "$T/port" \
			</dev/null >"$T/sl.out" 2>"$T/sl.err" 3>&- &
		sl=$!
		wait_file "$T/port" || { cat "$T/sl.err" >&2; kill $sl; exit 3; }
		peer.py --connect 127.0.0.1 --port "$(cat "$T/port")" \
			send:"hi\n" expect:"hi\n" close
		rc=$?
		kill $sl
		wait $sl
		cat "$T/sl.err" >&2
		exit $rc'
	assert_success

	assert_equal "$(grep -c '^Listening on 127.0.0.1 ' <<<"$stderr")" 1
	refute [ -n "$(grep 'Address already in use' <<<"$stderr")" ]
}

@test "-u -4 -l localhost binds one socket and says Listening on once" {
	run --separate-stderr debian_netns '
		"$SOCKLINE" -v -u -4 -l localhost 0 --upper --port-file "$T/port" \
			</dev/null >"$T/sl.out" 2>"$T/sl.err" 3>&- &
		sl=$!
		wait_file "$T/port" || { cat "$T/sl.err" >&2; kill $sl; exit 3; }
		peer.py --connect 127.0.0.1 --port "$(cat "$T/port")" --udp \
			send:"abc" expect:"ABC"
		rc=$?
		kill $sl
		wait $sl
		cat "$T/sl.err" >&2
		exit $rc'
	assert_success
	assert_equal "$(grep -c '^Listening on 127.0.0.1 ' <<<"$stderr")" 1
}
