# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers for sockline's bats tests.
#
# Servers are started on port 0 and their port is read back; waits are
# bounded polls on a condition, never a bare sleep; every background
# process is recorded and exactly those are killed in teardown.

bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
SOCKLINE="${SOCKLINE:-$TOP/sockline}"
T="$BATS_TEST_TMPDIR"
# The peers are executables, so a recorded PID is the peer itself.
PATH="$TOP/test/peers:$PATH"

# How long a bounded wait may take before the test fails; generous, so a
# loaded two-core machine passes, and still far below any real hang.
WAIT_SECS="${WAIT_SECS:-20}"

# bg NAME CMD...: runs CMD in the background with stdout and stderr in
# $T/NAME.out and $T/NAME.err, and records its PID (also in $NAME_pid).
# Stdin is /dev/null unless the caller redirects it.  3>&- keeps bats
# from waiting on the process.
bg() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	local pid=$!
	echo "$pid" >>"$T/pids"
	printf -v "${name}_pid" '%s' "$pid"
}

# bg_in NAME INPUT CMD...: like bg, with stdin from INPUT.
bg_in() {
	local name=$1 input=$2
	shift 2
	"$@" <"$input" >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	local pid=$!
	echo "$pid" >>"$T/pids"
	printf -v "${name}_pid" '%s' "$pid"
}

# wait_until CMD...: polls CMD until it succeeds, at most WAIT_SECS.
wait_until() {
	local deadline=$((SECONDS + WAIT_SECS))
	until "$@"; do
		if ((SECONDS >= deadline)); then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# wait_file PATH: waits for PATH to exist and be non-empty.
wait_file() {
	wait_until test -s "$1"
}

# wait_line FILE REGEX: waits until a line of FILE matches REGEX.
wait_line() {
	wait_until grep -qE -- "$2" "$1"
}

# port_of FILE: waits for a port file and prints the port in it.
port_of() {
	wait_file "$1" || return 1
	head -n 1 "$1"
}

# listening_port NAME: the port a `sockline -v -l` started as NAME reports.
listening_port() {
	wait_line "$T/$1.err" '^Listening on ' || return 1
	sed -n 's/^Listening on .* \([0-9][0-9]*\)$/\1/p' "$T/$1.err" | head -n 1
}

# gone PID: true once PID has exited.
gone() {
	! kill -0 "$1" 2>/dev/null
}

# finish PID [SECS]: waits (bounded) for a background job and sets
# $status to its exit status; fails the test if it does not exit.
finish() {
	local pid=$1 secs=${2:-$WAIT_SECS} deadline
	deadline=$((SECONDS + secs))
	while kill -0 "$pid" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			echo "process $pid still running after ${secs}s" >&2
			return 1
		fi
		sleep 0.02
	done
	status=0
	wait "$pid" || status=$?
	return 0
}

# hold_open FIFO: makes FIFO and keeps a writer on it until teardown, so
# a reader of it sees neither data nor end of file ("sleep 100 |").
hold_open() {
	mkfifo "$1"
	sleep 1000 >"$1" 3>&- &
	echo $! >>"$T/pids"
	holder_pid=$!
}

# netns_or_skip: skips the test, saying why, where unprivileged network
# namespaces (unshare -rn) are not available.
netns_or_skip() {
	unshare -rnm true 2>/dev/null ||
		skip "unprivileged network namespaces (unshare -rnm) are unavailable here"
	command -v ip >/dev/null || skip "ip (iproute2) is not installed"
}

# in_netns SCRIPT: runs SCRIPT with bash in a new network and mount
# namespace of our own: loopback up, and an /etc/hosts that maps
# localhost to ::1 first and 127.0.0.1 second (NETNS_HOSTS, printf's
# escapes, replaces those lines).  SOCKLINE, T and PATH are available
# to the script, and so is wait_file.
in_netns() {
	printf "${NETNS_HOSTS:-::1 localhost\\n127.0.0.1 localhost\\n}" >"$T/hosts"
	SOCKLINE="$SOCKLINE" T="$T" PATH="$PATH" unshare -rnm bash -c '
		set -u
		ip link set lo up && mount --bind "$T/hosts" /etc/hosts || exit 99
		wait_file() {
			local i
			for i in $(seq 1000); do
				[ -s "$1" ] && return 0
				sleep 0.02
			done
			return 1
		}
		eval "$1"' in_netns "$1"
}

# now_us: the wall clock in microseconds.
now_us() {
	echo "${EPOCHREALTIME/./}"
}

# ended_within PID SECS_AS_MS: polls for PID's exit for at most MS
# milliseconds; fails if it is still running then.
ended_within_ms() {
	local pid=$1 deadline=$(($(now_us) + $2 * 1000))
	while kill -0 "$pid" 2>/dev/null; do
		(($(now_us) > deadline)) && return 1
		sleep 0.01
	done
	return 0
}

# is_sockline PID: PID has become sockline (a bash -c wrapper exec'd it).
is_sockline() {
	[ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$SOCKLINE")" ]
}

# rss_kb PID: resident memory of PID, in kB.
rss_kb() {
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

# cpu_ticks PID: user+system CPU time of PID, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

teardown() {
	local pid
	if [ -f "$T/pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null || true
		done <"$T/pids"
		while read -r pid; do
			wait "$pid" 2>/dev/null || true
		done <"$T/pids"
	fi
}
