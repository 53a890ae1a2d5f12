# SPDX-License-Identifier: GPL-3.0-or-later
# Run by bats once around every run of test files in this directory.
#
# The suite must leave the work tree as it found it: a test that writes
# a port file, a log or a socket into the checkout instead of
# $BATS_TEST_TMPDIR leaves a file that ends up committed (a stray `pfh`
# once was).  So `git status` is taken before the first test and again
# after the last, and anything that appeared in between fails the run
# as "not ok ... teardown_suite", naming the files.

SUITE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# tree_status: what git says differs from the last commit, untracked
# files one by one; nothing outside a git checkout (a release tarball).
tree_status() {
	git -C "$SUITE_TOP" status --porcelain --untracked-files=all \
		2>/dev/null | LC_ALL=C sort
}

setup_suite() {
	tree_status >"$BATS_SUITE_TMPDIR/tree-before"
}

teardown_suite() {
	local new
	tree_status >"$BATS_SUITE_TMPDIR/tree-after"
	new=$(LC_ALL=C comm -13 "$BATS_SUITE_TMPDIR/tree-before" \
		"$BATS_SUITE_TMPDIR/tree-after")
	if [ -n "$new" ]; then
		echo "the tests left these in the work tree (git status):" >&2
		echo "$new" >&2
		return 1
	fi
}
