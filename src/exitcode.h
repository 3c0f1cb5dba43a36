/* exitcode.h: cofetch's exit statuses (man page, EXIT STATUS), by name. */
#ifndef COFETCH_EXITCODE_H
#define COFETCH_EXITCODE_H

enum {
	EXIT_ALL_OK = 0,	/* every request has an ok record */
	EXIT_SOME_FAILED = 1,	/* at least one record is not ok */
	EXIT_USAGE = 2,		/* bad options, unreadable input or config */
	EXIT_OUTPUT = 3,	/* the output could not be written */
	EXIT_NO_MEMORY = 70,	/* out of memory, or libcurl failed to start */
	EXIT_SIGNAL_BASE = 128	/* + N after signal N (141: SIGPIPE) */
};

#endif
