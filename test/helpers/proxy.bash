# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the proxy tests: the python proxy (peers/proxy-peer.py),
# a target behind it (peers/peer.py), and sockline through them.  Load
# after common.bash.

# proxy KIND [OPTION...]: proxy-peer.py as a KIND proxy (socks5, socks4,
# http) on 127.0.0.1 (-6: ::1), in the background as "px"; what each
# client sent is in $T/px.rec.  Sets $pport.
proxy() {
	local kind=$1
	shift
	rm -f "$T/px.port"
	bg px proxy-peer.py --kind "$kind" --port-file "$T/px.port" \
		--record "$T/px.rec" "$@"
	pport=$(port_of "$T/px.port")
}

# target [-6]: a peer that greets, expects "ping\n", then our half-close,
# answers "bye\n" and closes.  Sets $tport; its exit status says whether
# all of that happened (finish $tgt_pid).
target() {
	rm -f "$T/tgt.port"
	bg tgt peer.py --listen "$@" --port-file "$T/tgt.port" send:'hello\n' \
		expect:'ping\n' expect-eof send:'bye\n' close
	tport=$(port_of "$T/tgt.port")
}

# through URL HOST [OPTION...]: sockline --proxy URL HOST $tport with
# "ping\n" as input, under `run --separate-stderr`.
through() {
	local url=$1 host=$2
	shift 2
	run --separate-stderr timeout 20 bash -c \
		'printf "ping\n" | "$0" "$@"' "$SOCKLINE" --proxy "$url" "$@" \
		"$host" "$tport"
}

# assert_tunnel: the conversation went through whole, half-close included.
assert_tunnel() {
	assert_success
	assert_output "$(printf 'hello\nbye')"
	finish "$tgt_pid"
	assert_equal "$status" 0
}

# hexport: $tport as the four hex digits SOCKS sends.
hexport() {
	printf '%04x' "$tport"
}

# hexstr TEXT: TEXT's bytes in hex.
hexstr() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

# recorded TAG: what the proxy recorded under TAG (hex), one per line.
recorded() {
	sed -n "s/^$1 //p" "$T/px.rec"
}

# assert_refused TEXT...: exit 1, one "sockline: " line naming the proxy
# (its port) and the target, and containing each TEXT.
assert_refused() {
	assert_failure 1
	local n
	n=$(printf '%s\n' "$stderr" | wc -l)
	[ "$n" -eq 1 ] || fail "not one line: $stderr"
	[[ "$stderr" == "sockline: proxy "*":$pport: tunnel to "*" port $tport failed: "* ]] ||
		fail "does not name proxy and target: $stderr"
	local t
	for t in "$@"; do
		[[ "$stderr" == *"$t"* ]] || fail "no '$t' in: $stderr"
	done
}
