/*
 * Which front end a run gets.  The readline prompt is for a person at a
 * terminal; everything else (pipes, files, scripts) gets exact bytes.
 */

#include "sockline.h"

struct front *
front_new(struct session *s)
{
	return front_pipe_new(s);
}
