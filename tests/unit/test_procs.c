/* test_procs.c: -P's pure rules: the merge of the children's record
 * streams (as completed and by index), the exit status from the
 * children's, the share of -c, the host a child owns. */
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "opts.h"
#include "procs.h"
#include "procs_merge.h"
#include "util.h"
#include "unit.h"

static struct buf got;

static void
collect(const char *lines, size_t len, void *arg)
{
	buf_add(&got, lines, len);
}

TEST(as_completed_passes_whole_lines_and_holds_a_cut_one)
{
	struct merge *m = merge_new(2, 0, collect, NULL, NULL);

	buf_init(&got);
	merge_add(m, 0, "{\"index\":0}\n{\"ind", 17);
	merge_add(m, 1, "{\"index\":1}\n", 12);
	CHECK_STR(got.data, "{\"index\":0}\n{\"index\":1}\n");
	merge_add(m, 0, "ex\":2}\n", 7);
	CHECK_STR(got.data, "{\"index\":0}\n{\"index\":1}\n{\"index\":2}\n");
	merge_add(m, 1, "{\"index\":3", 10);
	CHECK(merge_end(m, 1, NULL, 0) == 10);		/* a child died mid-line */
	merge_free(m);
	buf_free(&got);
}

TEST(ordered_waits_for_every_running_stream)
{
	struct merge *m = merge_new(2, 1, collect, NULL, NULL);

	buf_init(&got);
	merge_add(m, 0, "{\"index\":0}\n{\"index\":2}\n", 24);
	CHECK(got.len == 0);		/* stream 1 may still send less */
	merge_add(m, 1, "{\"index\":1}\n", 12);
	CHECK_STR(got.data, "{\"index\":0}\n{\"index\":1}\n");
	CHECK(merge_end(m, 1, NULL, 0) == 0);
	CHECK_STR(got.data, "{\"index\":0}\n{\"index\":1}\n{\"index\":2}\n");
	merge_free(m);
	buf_free(&got);
}

TEST(ordered_with_index_shards_does_not_wait_for_a_child_without_input)
{
	struct merge *m = merge_new(4, 1, collect, NULL, NULL);

	/* -P 4, no --shard: child c sends c, c + 4, c + 8, ... */
	merge_set_shards(m, 4, 0, 1);
	buf_init(&got);
	merge_add(m, 0, "{\"index\":0}\n", 12);
	CHECK_STR(got.data, "{\"index\":0}\n");	/* nobody sends less */
	merge_add(m, 2, "{\"index\":2}\n", 12);
	CHECK(got.len == 12);		/* child 1 may still send 1 */
	merge_add(m, 1, "{\"index\":1}\n", 12);
	CHECK_STR(got.data, "{\"index\":0}\n{\"index\":1}\n"
	    "{\"index\":2}\n");
	/* Child 3 has sent nothing: it may still send 3. */
	merge_add(m, 0, "{\"index\":4}\n", 12);
	CHECK(got.len == 36);
	/* Index 3 was skipped (--resume): 7 is child 3's next. */
	merge_add(m, 3, "{\"index\":7}\n", 12);
	CHECK_STR(got.data + 36, "{\"index\":4}\n");
	/* 5 and 6 may still come from children 1 and 2. */
	CHECK(got.len == 48);
	CHECK(merge_end(m, 1, NULL, 0) == 0);
	CHECK(merge_end(m, 2, NULL, 0) == 0);
	CHECK_STR(got.data + 48, "{\"index\":7}\n");
	merge_free(m);
	buf_free(&got);
}

TEST(line_index_is_the_first_member)
{
	CHECK(merge_line_index("{\"index\":42,\"url\":1}", 20) == 42);
	CHECK(merge_line_index("{\"url\":1}", 9) == UINT64_MAX);
}

static int
exited(int code)
{
	return code << 8;
}

TEST(exit_status_combines_the_children)
{
	int a[3];

	a[0] = exited(0); a[1] = exited(1); a[2] = exited(0);
	CHECK(procs_exit_status(a, 3, 0) == 1);
	a[1] = exited(0);
	CHECK(procs_exit_status(a, 3, 0) == 0);
	a[0] = exited(130); a[1] = exited(1); a[2] = exited(130);
	CHECK(procs_exit_status(a, 3, SIGINT) == 130);
	a[2] = exited(3);
	CHECK(procs_exit_status(a, 3, SIGINT) == 3);
	a[0] = exited(0); a[1] = SIGKILL; a[2] = exited(1);	/* killed */
	CHECK(procs_exit_status(a, 3, 0) == 70);
	a[1] = SIGTERM;		/* by the signal the parent forwarded */
	CHECK(procs_exit_status(a, 3, SIGTERM) == 143);
}

TEST(concurrency_is_shared_with_the_remainder_first)
{
	CHECK(procs_share(50, 0, 4) == 13);
	CHECK(procs_share(50, 1, 4) == 13);
	CHECK(procs_share(50, 2, 4) == 12);
	CHECK(procs_share(50, 3, 4) == 12);
}

TEST(a_host_belongs_to_one_child)
{
	size_t c = procs_host_child("example.com:443", 4);

	CHECK(c < 4);
	CHECK(procs_host_child("example.com:443", 4) == c);
	CHECK(procs_host_child("anything:80", 1) == 0);
}

int
main(void)
{
	RUN(as_completed_passes_whole_lines_and_holds_a_cut_one);
	RUN(ordered_waits_for_every_running_stream);
	RUN(ordered_with_index_shards_does_not_wait_for_a_child_without_input);
	RUN(line_index_is_the_first_member);
	RUN(exit_status_combines_the_children);
	RUN(concurrency_is_shared_with_the_remainder_first);
	RUN(a_host_belongs_to_one_child);
	return unit_done("tests/unit/test_procs.c");
}
