# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the file-safety tests (design item 15): a sticky
# world-writable directory of the test's own (never the real /tmp), and
# links, files and FIFOs planted in it by "another user".  Load after
# common.bash.
#
# Planting files owned by another user takes root (chown); elsewhere the
# tests say so and skip.

# The other user: nobody.
OTHER_UID=65534

# sticky_dir: makes $D, a sticky world-writable directory like /tmp, and
# $T/precious, a file of ours that a planted link points to.
sticky_dir() {
	[ "$(id -u)" -eq 0 ] ||
		skip "planting files owned by another user needs root (chown)"
	D="$T/sticky"
	mkdir "$D"
	chmod 1777 "$D"
	printf 'precious\n' >"$T/precious"
}

# plant_link NAME TARGET: a symbolic link $D/NAME -> TARGET, owned by
# the other user.
plant_link() {
	ln -s "$2" "$D/$1"
	chown -h "$OTHER_UID" "$D/$1"
}

# plant_file NAME: a file $D/NAME of the other user's, readable and
# writable by everyone (so only the rule keeps us out), holding "theirs".
plant_file() {
	printf 'theirs\n' >"$D/$1"
	chmod 666 "$D/$1"
	chown "$OTHER_UID" "$D/$1"
}

# plant_fifo NAME: a FIFO $D/NAME of the other user's, mode 0666.
plant_fifo() {
	mkfifo -m 666 "$D/$1"
	chown "$OTHER_UID" "$D/$1"
}

# assert_precious: the file a planted link points to is untouched.
assert_precious() {
	assert_equal "$(cat "$T/precious")" "precious"
}

# peer_up STEP...: a python peer listening on 127.0.0.1, as "srv"; sets
# $port.
peer_up() {
	rm -f "$T/port"
	bg srv peer.py --listen --port-file "$T/port" "$@"
	port=$(port_of "$T/port")
}
