/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Included first into options.c for test/fuzz/options.c only: a usage
 * error ends the program, as main() wants, but a fuzz target must come
 * back for the next input, so exit() becomes a longjmp to the target.
 */
#include <stdlib.h>
void	fuzz_exit(int) __attribute__((noreturn));
#define exit(status)	fuzz_exit(status)
