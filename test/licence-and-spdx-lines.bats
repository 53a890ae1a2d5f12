#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# sockline is GPL-3.0-or-later: LICENSE holds the licence's text as the
# FSF publishes it, every source file says so in an SPDX line near its
# top (in its own comment syntax, after a "#!" line), and the README,
# the man page and --version name the licence.  scripts/spdx-add adds
# the lines; these tests check them independently of it.

load helpers/common

# The SHA-256 of the GPL version 3 text as the FSF publishes it
# (https://www.gnu.org/licenses/gpl-3.0.txt), which Debian ships as
# /usr/share/common-licenses/GPL-3.
GPL3_SHA256=3972dc9744f6499f0f9b2dbf76696f2ae7ad8af9b23dde66d6af86c9dfb36986

ID="SPDX-License-Identifier: GPL-3.0-or-later"

# source_files: what must carry the line, one a line.  The globs name
# every kind of source the tree has; any executable file starting with
# "#!" counts too, wherever it is.
source_files() {
	(
		cd "$TOP" || exit 1
		for f in src/*.c src/*.h test/fuzz/*.c test/fuzz/*.h bench/*.c \
		    scripts/* test/peers/*.py test/helpers/*.bash test/*.bats \
		    test/*.bash .ci/run setup Makefile completions/sockline.bash \
		    completions/_sockline completions/sockline.fish man/*.1 \
		    debian/rules; do
			[ -f "$f" ] && echo "$f"
		done
		find . \( -name .git -o -path ./build -o -path ./debian/sockline \
		    -o -path ./debian/.debhelper -o -name __pycache__ \) \
		    -prune -o -type f -perm -u+x -print | sed 's|^\./||' |
		while IFS= read -r f; do
			[ "$(head -c 2 "$f")" = "#!" ] && echo "$f"
		done
	) | LC_ALL=C sort -u
}

# spdx_line FILE: the exact line FILE must hold, in its comment syntax.
spdx_line() {
	case $1 in
	*.c | *.h) echo "/* $ID */" ;;
	*.1) echo ".\\\" $ID" ;;
	*) echo "# $ID" ;;
	esac
}

@test "LICENSE is the GNU GPL version 3, word for word" {
	[ -f "$TOP/LICENSE" ]
	run head -n 2 "$TOP/LICENSE"
	assert_output --regexp 'GNU GENERAL PUBLIC LICENSE
 +Version 3, 29 June 2007'
	run sha256sum "$TOP/LICENSE"
	assert_output "$GPL3_SHA256  $TOP/LICENSE"
}

@test "every source file has the SPDX line in its first lines, in its comment syntax, after a #! line" {
	run source_files
	# The kinds of file the globs stand for are all there.
	for f in src/main.c src/sockline.h test/fuzz/addr.c bench/loadgen.c \
	    scripts/deps test/peers/peer.py test/helpers/common.bash \
	    test/completions.bats .ci/run setup Makefile \
	    completions/_sockline completions/sockline.bash \
	    completions/sockline.fish man/sockline.1 debian/rules bench/run \
	    debian/tests/smoke test/helpers/zsh-complete; do
		assert_line "$f"
	done
	[ "${#lines[@]}" -gt 100 ]
	# scripts/spdx-add looks at the same files, so it fixes what fails.
	assert_equal "$("$TOP/scripts/spdx-add" --list)" "$output"
	bad=""
	for f in "${lines[@]}"; do
		want=$(spdx_line "$f")
		first=$(head -n 1 "$TOP/$f")
		case $first in
		'#!'* | '#compdef'*)
			# The interpreter line stays first, the SPDX line next.
			[ "$(sed -n 2p "$TOP/$f")" = "$want" ] ||
				bad="$bad$f (line 2 is not: $want)"$'\n'
			;;
		*)
			head -n 5 "$TOP/$f" | grep -qxF -- "$want" ||
				bad="$bad$f (no line: $want)"$'\n'
			;;
		esac
	done
	[ -z "$bad" ] || fail "files without the SPDX line:
$bad(scripts/spdx-add adds them)"
}

@test "scripts/spdx-add adds the line once, in each syntax, after #! and #compdef, keeping the file's mode" {
	tree="$T/tree"
	mkdir -p "$tree/scripts" "$tree/src" "$tree/man" "$tree/completions" \
		"$tree/test/peers" "$tree/tools"
	cp "$TOP/scripts/spdx-add" "$tree/scripts/"
	printf '/*\n * A file.\n */\nint x;\n' >"$tree/src/a.c"
	printf '#!/bin/sh\necho hi\n' >"$tree/scripts/hello"
	chmod 750 "$tree/scripts/hello"
	printf '#compdef sockline\n_arguments\n' >"$tree/completions/_sockline"
	printf '.Dd November 21, 2026\n.Dt SOCKLINE 1\n' >"$tree/man/sockline.1"
	printf 'all:\n\ttrue\n' >"$tree/Makefile"
	printf '#!/usr/bin/env python3\n"""Doc."""\n' >"$tree/test/peers/p.py"
	# An executable script outside the usual places counts too.
	printf '#!/usr/bin/env bash\nexit 0\n' >"$tree/tools/x"
	chmod +x "$tree/tools/x"
	# A mention in prose is no SPDX line.
	printf '#!/bin/sh\n# Adds "SPDX-License-Identifier: X" lines.\n' \
		>"$tree/scripts/mentions"
	# A file that names another licence is left for a person to judge.
	printf '// SPDX-License-Identifier: MIT\nint y;\n' >"$tree/src/mit.c"

	run "$tree/scripts/spdx-add" --check
	assert_failure 1
	run -0 "$tree/scripts/spdx-add"
	assert_line "spdx-add: src/a.c"
	assert_line "spdx-add: tools/x"
	refute_line "spdx-add: src/mit.c"
	assert_equal "$(cat "$tree/src/a.c")" "/* $ID */
/*
 * A file.
 */
int x;"
	assert_equal "$(cat "$tree/scripts/hello")" "#!/bin/sh
# $ID
echo hi"
	assert_equal "$(stat -c %a "$tree/scripts/hello")" 750
	assert_equal "$(cat "$tree/completions/_sockline")" "#compdef sockline
# $ID
_arguments"
	assert_equal "$(head -n 2 "$tree/man/sockline.1")" ".\\\" $ID
.Dd November 21, 2026"
	assert_equal "$(head -n 1 "$tree/Makefile")" "# $ID"
	assert_equal "$(head -n 3 "$tree/test/peers/p.py")" "#!/usr/bin/env python3
# $ID
\"\"\"Doc.\"\"\""
	assert_equal "$(sed -n 2p "$tree/tools/x")" "# $ID"
	assert_equal "$(sed -n 2p "$tree/scripts/mentions")" "# $ID"
	assert_equal "$(cat "$tree/src/mit.c")" "// SPDX-License-Identifier: MIT
int y;"

	# Again: nothing to do, nothing changed.
	sums=$(cd "$tree" && find . -type f | LC_ALL=C sort | xargs sha256sum)
	run -0 "$tree/scripts/spdx-add"
	assert_output ""
	assert_equal "$(cd "$tree" && find . -type f | LC_ALL=C sort |
		xargs sha256sum)" "$sums"
	run -0 "$tree/scripts/spdx-add" --check
}

@test "the README, the man page and --version name the licence" {
	grep -q 'GPL-3.0-or-later' "$TOP/README.md"
	grep -q '(LICENSE)' "$TOP/README.md"
	run env MANWIDTH=200 man -l "$TOP/man/sockline.1"
	assert_success
	assert_output --partial "AUTHORS"
	assert_output --partial "GPL-3.0-or-later"
	assert_output --partial "GNU General Public License, version 3 or (at your option) any later version"
	run -0 "$SOCKLINE" --version
	assert_line "License GPL-3.0-or-later <https://gnu.org/licenses/gpl.html>"
}
