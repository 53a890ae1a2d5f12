# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the TLS tests: the python TLS peer (peers/tls-peer.py) as a
# server, and what it saw.  Load after common.bash and pki.bash; call
# make_pki from setup_file.

# tls_peer NAME CERT [OPTION...] STEP...: a tls-peer.py server started as
# NAME (in the background, like bg), presenting $PKI/CERT.pem, on
# 127.0.0.1 (-6: ::1; --unix PATH: a unix socket).  What it saw goes to
# $T/NAME.info, every byte it received to $T/NAME.rec.  Sets $port.
tls_peer() {
	local name=$1 cert=$2
	shift 2
	rm -f "$T/$name.port"
	bg "$name" tls-peer.py --listen --port-file "$T/$name.port" \
		--cert "$PKI/$cert.pem" --key "$PKI/$cert.key" \
		--info "$T/$name.info" --record "$T/$name.rec" "$@"
	port=$(port_of "$T/$name.port")
}

# info NAME KEY: what the peer started as NAME recorded for KEY.
info() {
	sed -n "s/^$2=//p" "$T/$1.info" 2>/dev/null
}

# assert_nothing_received NAME: the peer NAME got no application byte.
assert_nothing_received() {
	[ -e "$T/$1.rec" ] || fail "the peer $1 kept no record"
	[ ! -s "$T/$1.rec" ] ||
		fail "the peer $1 received $(wc -c <"$T/$1.rec") bytes: $(head -c 80 "$T/$1.rec")"
}

# assert_one_line TEXT: TEXT is exactly one line, starting "sockline: ".
assert_one_line() {
	local n
	n=$(printf '%s\n' "$1" | wc -l)
	[ -n "$1" ] && [ "$n" -eq 1 ] || fail "not one line ($n): $1"
	[[ "$1" == "sockline: "* ]] || fail "no 'sockline: ' prefix: $1"
}

# assert_has_fingerprint TEXT CERT: TEXT shows CERT's SHA-256
# fingerprint (hex, with or without colons, either case).
assert_has_fingerprint() {
	local fp
	fp=$(fingerprint_of "$2")
	printf '%s\n' "$1" | tr -d ':' | tr 'A-F' 'a-f' | grep -q "$fp" ||
		fail "no fingerprint $fp of $2 in: $1"
}

# file_has_fingerprint FILE CERT: FILE shows CERT's SHA-256 fingerprint.
file_has_fingerprint() {
	tr -d ':' <"$1" | tr 'A-F' 'a-f' | grep -q "$(fingerprint_of "$2")"
}

# all_bytes FILE MIB: MIB MiB of every byte value 0-255 in turn.
all_bytes() {
	python3 -c 'import sys
sys.stdout.buffer.write(bytes(range(256)) * (4096 * int(sys.argv[1])))' "$2" >"$1"
}
