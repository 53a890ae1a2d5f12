#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package and the release tarball, as a packager and a user
# meet them.  `scripts/mkdeb` (what `make deb` runs) builds the .deb
# with dpkg-buildpackage in a clean temporary copy; lintian judges it;
# dpkg installs it into a throwaway root (`dpkg --root`, never the real
# system), the autopkgtest's smoke test runs against the binary there,
# and removing it leaves nothing.  `scripts/dist` (what `make dist`
# runs) makes the tarball, which is unpacked, built and used.
#
# Where dpkg-buildpackage, debhelper or lintian are missing these tests
# skip, saying why, except in CI (CI set), where that fails: .ci/run
# installs them (scripts/deps ci).

load helpers/common

DEB_OUT="$BATS_FILE_TMPDIR/deb"

# need TOOL PACKAGE: skips (fails in CI) when TOOL is missing.
need() {
	command -v "$1" >/dev/null && return 0
	[ -n "${CI:-}" ] &&
		fail "$1 is not installed, and CI must build and check the package (scripts/deps ci installs $2)"
	skip "$1 is not installed (apt-get install $2)"
}

need_deb_tools() {
	need dpkg-buildpackage dpkg-dev
	need dh debhelper
}

# The package is built once for the file; each test looks at a part.
setup_file() {
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
		return 0
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS TMPDIR="$BATS_FILE_TMPDIR" \
		"$TOP/scripts/mkdeb" "$DEB_OUT" >"$BATS_FILE_TMPDIR/build.log" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/build.status"
}

# built: the package built; prints the build's log otherwise.
built() {
	need_deb_tools
	[ "$(cat "$BATS_FILE_TMPDIR/build.status")" = 0 ] ||
		fail "scripts/mkdeb failed:
$(tail -n 40 "$BATS_FILE_TMPDIR/build.log")"
	DEB="$DEB_OUT/sockline_${VERSION}_$(dpkg --print-architecture).deb"
	[ -f "$DEB" ] || fail "no $DEB; built: $(ls "$DEB_OUT")"
}

VERSION=$(sed -n 's/^#define SOCKLINE_VERSION[^"]*"\(.*\)"$/\1/p' \
	"$TOP/src/sockline.h")

# dpkg with the sbin directories it looks for on the PATH, its log in $T.
dpkg_() {
	PATH="$PATH:/usr/sbin:/sbin" dpkg --log="$T/dpkg.log" "$@"
}

@test "dpkg-buildpackage builds the .deb in a clean copy: Debian's paths, hardening flags, the smoke test run" {
	built
	run dpkg-deb --contents "$DEB"
	assert_success
	files=$(awk '$1 !~ /^d/ { print $6 }' <<<"$output" | LC_ALL=C sort)
	assert_equal "$files" "./usr/bin/sockline
./usr/share/bash-completion/completions/sockline
./usr/share/doc/sockline/changelog.gz
./usr/share/doc/sockline/copyright
./usr/share/fish/vendor_completions.d/sockline.fish
./usr/share/man/man1/sockline.1.gz
./usr/share/zsh/vendor-completions/_sockline"
	assert_equal "$(dpkg-deb --field "$DEB" Version)" "$VERSION"
	# ${shlibs:Depends} was filled in: the libraries it links.
	run dpkg-deb --field "$DEB" Depends
	assert_output --regexp '(^|, )libc6 \(>= [^)]+\)'
	assert_output --regexp '(^|, )libreadline8 '
	# dpkg-buildflags' hardening reached the compiler and the linker.
	log="$BATS_FILE_TMPDIR/build.log"
	grep -qE -- ' -c -o src/main\.o .*src/main\.c$' "$log" ||
		fail "no compile line for main.c in the log"
	compile=$(grep -E -- ' -c -o src/main\.o ' "$log")
	link=$(grep -E -- ' -o sockline .*src/main\.o' "$log")
	# Each flag dpkg-buildflags gives for hardening=+all (the build
	# directory's -ffile-prefix-map aside), and at least these.
	export DEB_BUILD_MAINT_OPTIONS=hardening=+all
	cflags=$(dpkg-buildflags --get CPPFLAGS; dpkg-buildflags --get CFLAGS)
	ldflags=$(dpkg-buildflags --get LDFLAGS)
	for f in $cflags -D_FORTIFY_SOURCE=2 -fstack-protector-strong; do
		[[ $f == -ffile-prefix-map=* ]] && continue
		[[ $compile == *" $f "* ]] || fail "not compiled with $f: $compile"
	done
	for f in $ldflags -Wl,-z,now; do
		[[ $link == *" $f "* ]] || fail "not linked with $f: $link"
	done
	mkdir "$T/x"
	dpkg-deb --extract "$DEB" "$T/x"
	run readelf -d "$T/x/usr/bin/sockline"
	assert_line --regexp 'FLAGS_1.*NOW.*PIE'
	# The package build ran the smoke test (dh_auto_test).
	grep -qx 'smoke: ok (sockline .*' "$log" ||
		fail "the smoke test did not run in the package build"
}

@test "lintian finds no error or warning in the .deb, nor a pedantic note" {
	built
	need lintian lintian
	# lintian frowns on root, on stderr; that is all it says there.
	run --separate-stderr lintian --fail-on error,warning "$DEB"
	assert_success
	assert_output ""
	# README.md says no --pedantic note is left; keep that true.
	run --separate-stderr lintian --pedantic --info "$DEB"
	assert_success
	assert_output ""
}

@test "installed into a throwaway root, the autopkgtests pass against it, and removing it leaves nothing" {
	built
	root="$T/root"
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	# The root's package list: the host's entries for the packages the
	# .deb depends on, so that its Depends must be met by this Debian's
	# packages, with no --force-depends.
	: >"$root/var/lib/dpkg/status"
	for p in $(dpkg-deb --field "$DEB" Depends | tr ',|' '\n\n' |
	    sed 's/(.*//; s/ //g' | LC_ALL=C sort -u); do
		dpkg-query --status "$p" >>"$root/var/lib/dpkg/status" ||
			fail "$p, which the package depends on, is not installed here"
		echo >>"$root/var/lib/dpkg/status"
		: >"$root/var/lib/dpkg/info/$(dpkg-query -W -f '${binary:Package}' "$p").list"
	done
	run dpkg_ --root="$root" --force-not-root --install "$DEB"
	assert_success
	refute_output --partial warning
	[ -x "$root/usr/bin/sockline" ]
	run dpkg_ --root="$root" --force-not-root --listfiles sockline
	assert_line /usr/share/man/man1/sockline.1.gz

	# Every test debian/tests/control names, against the installed binary.
	tests=$(sed -n 's/^Tests: *//p' "$TOP/debian/tests/control" | tr ',' ' ')
	[ -n "$tests" ]
	grep -qx 'Depends: @' "$TOP/debian/tests/control"
	for t in $tests; do
		[ -x "$TOP/debian/tests/$t" ] || fail "debian/tests/$t is not executable"
		run env SOCKLINE="$root/usr/bin/sockline" "$TOP/debian/tests/$t"
		assert_success
		assert_line --regexp "^smoke: ok \(sockline $VERSION, echo on 127\.0\.0\.1 port [0-9]+\)$"
	done

	# The installed listener against an independent peer.
	bg srv "$root/usr/bin/sockline" -l 127.0.0.1 0 --echo \
		--port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --connect 127.0.0.1 --port "$port" send:'from a peer\n' \
		expect:'from a peer\n' close
	assert_success

	run dpkg_ --root="$root" --force-not-root --remove sockline
	assert_success
	refute_output --partial warning
	# No conffiles, so nothing is kept for a purge either.
	run dpkg_ --root="$root" --force-not-root --status sockline
	assert_failure
	run find "$root" -mindepth 1 -not -path "$root/var" \
		-not -path "$root/var/lib" -not -path "$root/var/lib/dpkg" \
		-not -path "$root/var/lib/dpkg/*"
	assert_output ""
}

@test "make dist writes sockline-VERSION.tar.gz and its .sha256; unpacked, it builds, talks, and packs the same tarball" {
	[ -n "$VERSION" ]
	# make dist is scripts/dist into the tree's build/; here it writes
	# into $T instead, so that runs in parallel do not race there.
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -n -C "$TOP" dist
	assert_output "scripts/dist build"
	run -0 env TMPDIR="$T" "$TOP/scripts/dist" "$T/dist"
	assert_output "$T/dist/sockline-$VERSION.tar.gz
$T/dist/sockline-$VERSION.tar.gz.sha256"
	(cd "$T/dist" && sha256sum -c --quiet "sockline-$VERSION.tar.gz.sha256")

	run tar -tzf "$T/dist/sockline-$VERSION.tar.gz"
	assert_success
	# One top directory; sources, tests, packaging; no build product.
	refute_line --regexp "^[^s]|^s[^o]|^sockline-$VERSION[^/]"
	for f in LICENSE README.md Makefile MANIFEST src/main.c \
	    src/sockline.h man/sockline.1 completions/_sockline \
	    test/helpers/common.bash test/peers/peer.py debian/control \
	    debian/rules debian/tests/smoke scripts/dist; do
		assert_line "sockline-$VERSION/$f"
	done
	refute_line --regexp '\.o$|/sockline$|/build/|\.deb$|/\.git/'

	mkdir "$T/u"
	tar -xzf "$T/dist/sockline-$VERSION.tar.gz" -C "$T/u"
	src="$T/u/sockline-$VERSION"
	[ -x "$src/debian/rules" ] && [ -x "$src/scripts/deps" ]
	run env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$src" \
		NODEPS=1 WERROR=-Werror
	assert_success
	run -0 "$src/sockline" --version
	assert_line --index 0 "sockline $VERSION"

	bg srv "$src/sockline" -l 127.0.0.1 0 --upper --port-file "$T/port"
	port=$(port_of "$T/port")
	run peer.py --connect 127.0.0.1 --port "$port" send:'tarball\n' \
		expect:'TARBALL\n' close
	assert_success

	# From the unpacked tarball (no git: its MANIFEST), the same tarball.
	run -0 env TMPDIR="$T" "$src/scripts/dist" "$T/again"
	cmp "$T/dist/sockline-$VERSION.tar.gz" \
		"$T/again/sockline-$VERSION.tar.gz"

	# A version that debian/changelog does not share is refused.
	sed -i "1s/($VERSION)/(9.9.9)/" "$src/debian/changelog"
	run --separate-stderr env TMPDIR="$T" "$src/scripts/dist" "$T/bad"
	assert_failure 1
	assert_equal "$stderr" "scripts/dist: debian/changelog says 9.9.9, src/sockline.h says $VERSION"
	[ ! -e "$T/bad" ]
}

@test "debian/control builds from the build set, and CI installs what these tests need" {
	# The field and its continuation lines, one package a line.
	deps=$(awk '/^Build-Depends:/ { f = 1; sub(/^Build-Depends:/, ""); print; next }
		f && /^ / { print; next } { f = 0 }' "$TOP/debian/control" |
		tr ',' '\n' | sed 's/([^)]*)//; s/^ *//; s/ *$//' |
		grep -v '^$' | LC_ALL=C sort)
	assert_equal "$deps" "debhelper-compat
libreadline-dev
libssl-dev
pkg-config"
	grep -qx 'Build-Depends: debhelper-compat (= 13),' "$TOP/debian/control"
	grep -qx 'Rules-Requires-Root: no' "$TOP/debian/control"
	grep -qx 'Depends: ${misc:Depends}, ${shlibs:Depends}' "$TOP/debian/control"
	grep -qx '3.0 (native)' "$TOP/debian/source/format"
	run "$TOP/scripts/deps" --list build
	for p in libreadline-dev libssl-dev pkg-config; do
		assert_line "$p"
	done
	run "$TOP/scripts/deps" --list ci
	for p in dpkg-dev debhelper lintian; do
		assert_line "$p"
	done
	run "$TOP/scripts/deps" --list deb
	assert_line dpkg-dev
	assert_line debhelper
	# make deb checks that set first, then builds into build/deb.
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -n -C "$TOP" deb
	assert_line "scripts/deps deb"
	assert_line "scripts/mkdeb build/deb"
	# debian/rules builds with NODEPS=1: no apt-get in a package build.
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -n -B -C "$TOP" \
		sockline
	assert_line "scripts/deps build"
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -n -B -C "$TOP" \
		sockline NODEPS=1
	refute_output --partial scripts/deps
	grep -q 'dh_auto_build -- NODEPS=1' "$TOP/debian/rules"
	# The package's version is the program's.
	assert_equal "$(sed -n '1s/^sockline (\([^)]*\)).*/\1/p' \
		"$TOP/debian/changelog")" "$VERSION"
	# debian/copyright: machine-readable, GPL-3+.
	grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
		"$TOP/debian/copyright"
	grep -qx 'License: GPL-3+' "$TOP/debian/copyright"
}
