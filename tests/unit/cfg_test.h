/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the configuration loader's unit tests share (test_cfg*.c,
 * test_flowlog.c): load a configuration from a string named "t.cfg" and
 * collect its messages; load_ok() for one that must load without a message,
 * EXPECT(text, messages...) for one that must fail with exactly these
 * messages in this order (the user interface of `vpcgw --check`).
 * Include after <cmocka.h> and "config/cfg.h".
 */
#ifndef VPCGW_TESTS_UNIT_CFG_TEST_H
#define VPCGW_TESTS_UNIT_CFG_TEST_H

#include <stdio.h>
#include <string.h>

#define MAX_ERRS 40

struct errs {
	int n;
	char msg[MAX_ERRS][512];
};

static inline void
collect(void *arg, const char *msg)
{
	struct errs *e = arg;

	if (e->n < MAX_ERRS)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	e->n++;
}

static inline uint32_t
ip(const char *s)
{
	uint32_t a = 0;

	assert_int_equal(cfg_parse_ipv4(s, &a), 0);
	return a;
}

/* Load TEXT, which must be valid; the caller frees the result. */
static inline struct cfg *
load_ok(const char *text)
{
	struct errs e = { 0 };
	struct cfg *c = NULL;
	int i, n;

	n = cfg_load_string(text, "t.cfg", &c, collect, &e);
	for (i = 0; i < e.n && i < MAX_ERRS; i++)
		print_message("unexpected: %s\n", e.msg[i]);
	assert_int_equal(n, 0);
	assert_int_equal(e.n, 0);
	assert_non_null(c);
	return c;
}

/* Load TEXT and expect exactly the messages of the NULL-terminated list, in order. */
static inline void
expect_errs(const char *text, const char *const *want)
{
	struct errs e = { 0 };
	struct cfg *c = (struct cfg *)&e;  /* must be reset to NULL */
	int i, n, n_want;

	for (n_want = 0; want[n_want] != NULL; n_want++)
		;
	n = cfg_load_string(text, "t.cfg", &c, collect, &e);
	for (i = 0; i < e.n && i < MAX_ERRS; i++)
		if (i >= n_want || strcmp(e.msg[i], want[i]) != 0)
			print_message("got [%d]: %s\n", i, e.msg[i]);
	assert_null(c);
	assert_int_equal(n, n_want);
	assert_int_equal(e.n, n_want);
	for (i = 0; i < n_want; i++)
		assert_string_equal(e.msg[i], want[i]);
}

#define EXPECT(text, ...) expect_errs((text), (const char *const[]){ __VA_ARGS__, NULL })

#endif
