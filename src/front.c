/*
 * Which front end a run gets.  The readline prompt is for a person at a
 * terminal; everything else (pipes, files, scripts) gets exact bytes.
 */

#include <unistd.h>

#include "sockline.h"

struct front *
front_new(struct session *s)
{
	const struct config	*cfg = s->cfg;

	if (cfg->batch || (!cfg->interactive && !isatty(STDIN_FILENO)))
		return front_pipe_new(s);
	return front_repl_new(s);
}
