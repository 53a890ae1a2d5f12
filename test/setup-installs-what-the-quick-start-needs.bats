#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ./setup, the README's first step on a fresh Debian (no make yet), and
# scripts/deps behind it: which packages each set names, and how apt-get
# is run.  apt-get, dpkg-query and id are stand-ins here (first in
# PATH), so nothing is installed and every case runs as any user;
# scripts/check-minbase tries the real thing in a debootstrap chroot.

load helpers/common

setup() {
	mkdir -p "$T/bin"
	# Nothing is installed.
	printf '#!/bin/sh\nexit 1\n' >"$T/bin/dpkg-query"
	# apt-get: records its arguments and environment, chatters on both
	# outputs as the real one does, and fails as $T/apt-fails says.
	cat >"$T/bin/apt-get" <<EOF
#!/bin/sh
echo "DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-} \$*" >>"$T/apt.log"
echo "Selecting previously unselected package make."
echo "debconf: delaying package configuration, since apt-utils is not installed" >&2
n=\$(cat "$T/apt-fails" 2>/dev/null || echo 0)
if [ "\$n" -gt 0 ]; then
	echo \$((n - 1)) >"$T/apt-fails"
	echo "E: Unable to locate package make" >&2
	exit 100
fi
exit 0
EOF
	chmod +x "$T/bin/apt-get" "$T/bin/dpkg-query"
}

# as_uid N: id -u says N.
as_uid() {
	printf '#!/bin/sh\necho %s\n' "$1" >"$T/bin/id"
	chmod +x "$T/bin/id"
}

@test "make test's set has zsh and fish, so their completion tests never skip under make test" {
	run "$TOP/scripts/deps" --list test
	assert_success
	assert_line zsh
	assert_line fish
	# A superset of the build set.
	for p in $("$TOP/scripts/deps" --list build); do
		assert_line "$p"
	done
}

@test "the sets name make, libc6-dev (gcc only recommends it), libssl-dev, netbase and openssl" {
	run "$TOP/scripts/deps" --list build
	assert_success
	for p in make gcc libc6-dev pkg-config libreadline-dev libssl-dev; do
		assert_line "$p"
	done
	run "$TOP/scripts/deps" --list test
	for p in netbase openssl bats python3 tmux; do
		assert_line "$p"
	done
	run "$TOP/scripts/deps" --list ci
	for p in clang valgrind zsh; do
		assert_line "$p"
	done
}

@test "./setup as a user names the whole test set in one apt-get command without recommends" {
	as_uid 1000
	run --separate-stderr env PATH="$T/bin:$PATH" sh "$TOP/setup"
	assert_failure 1
	assert_output ""
	want="sudo apt-get install -y --no-install-recommends $("$TOP/scripts/deps" --list test | tr '\n' ' ')"
	[[ "$stderr" == *"Install them with:  ${want% }"* ]] || fail "$stderr"
	[ ! -e "$T/apt.log" ]
}

@test "./setup as root installs quietly, without recommends, asking nothing, and shows no apt chatter" {
	as_uid 0
	run --separate-stderr env PATH="$T/bin:$PATH" sh "$TOP/setup"
	assert_success
	assert_output ""
	assert_equal "$stderr" "scripts/deps: installing: $("$TOP/scripts/deps" --list test | tr '\n' ' ' | sed 's/ $//')"
	run cat "$T/apt.log"
	assert_equal "${#lines[@]}" 1
	[[ "${lines[0]}" == "DEBIAN_FRONTEND=noninteractive "*"-qq "*"install --no-install-recommends make gcc "* ]] ||
		fail "${lines[0]}"
}

@test "./setup fetches the package lists of a fresh system when the first install fails, then tries again" {
	as_uid 0
	echo 1 >"$T/apt-fails"
	run --separate-stderr env PATH="$T/bin:$PATH" sh "$TOP/setup"
	assert_success
	run cat "$T/apt.log"
	assert_equal "${#lines[@]}" 3
	[[ "${lines[1]}" == *" update" ]] || fail "${lines[1]}"
	[[ "${lines[2]}" == *"install --no-install-recommends "* ]] || fail "${lines[2]}"
}

@test "when apt-get fails for good, ./setup exits 1 and shows what apt said" {
	as_uid 0
	echo 9 >"$T/apt-fails"
	run --separate-stderr env PATH="$T/bin:$PATH" sh "$TOP/setup"
	assert_failure 1
	[[ "$stderr" == *"E: Unable to locate package make"* ]] || fail "$stderr"
	[[ "$stderr" == *"scripts/deps: apt-get install failed for: make "* ]] || fail "$stderr"
}

@test "the README's quick start runs ./setup before the first make" {
	run sed -n '/^## Quick start/,/^## /p' "$TOP/README.md"
	block=$(awk '/^```sh$/ {on = 1; next} /^```$/ && on {exit} on' <<<"$output")
	first=$(head -n 1 <<<"$block")
	second=$(sed -n 2,99p <<<"$block" | grep -v '^ *#' | grep -v '^ \{10,\}#' | head -n 1)
	[[ "$first" == "./setup && make demo "* ]] || fail "first: $first"
	[[ "$second" == "make test "* ]] || fail "second: $second"
}
